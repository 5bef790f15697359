#!/usr/bin/env node
// Enforces the layer rules of docs/ARCHITECTURE.md independently of ESLint config:
// engine, shared and main/core never import electron, shared never imports node:*,
// renderer and web never import engine or main, main/core never reaches the Electron adapters,
// preload reaches only shared. Exits 1 on any violation.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? '.');
const src = join(root, 'src');
const importPattern = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (/\.(ts|tsx|js|mjs)$/.test(name)) yield path;
  }
}

/** The top folder under src/, except main/, whose sub-folders are layers of their own (main/core, main/electron). */
function layerOf(path) {
  const parts = relative(src, path).split(/[\\/]/);
  if (parts[0] === 'main' && parts.length > 2) return `main/${parts[1]}`;
  return parts[0];
}

const isElectron = (spec) => spec === 'electron' || spec.startsWith('electron/');

function rulesFor(layer) {
  const rules = [];
  if (layer === 'engine' || layer === 'shared' || layer === 'main/core') rules.push(isElectron);
  // electron-store loads electron itself.
  if (layer === 'main/core') rules.push((spec) => spec === 'electron-store');
  if (layer === 'shared') rules.push((spec) => spec.startsWith('node:'));
  return rules;
}

/** `main/**` is main/ and every layer inside it. */
const anyMain = 'main/**';
const forbiddenTargets = {
  renderer: ['engine', anyMain, 'preload'],
  web: ['engine', anyMain, 'preload', 'renderer'],
  shared: ['engine', anyMain, 'renderer', 'preload', 'web', 'cli'],
  engine: [anyMain, 'renderer', 'preload', 'web', 'cli'],
  'main/core': ['main', 'main/electron', 'renderer', 'preload', 'web', 'cli'],
  preload: ['engine', anyMain, 'renderer', 'web', 'cli'],
};

function forbids(layer, targetLayer) {
  return (forbiddenTargets[layer] ?? []).some((entry) => (entry === anyMain ? targetLayer === 'main' || targetLayer.startsWith('main/') : entry === targetLayer));
}

const violations = [];
for (const file of walk(src)) {
  const layer = layerOf(file);
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(importPattern)) {
    const spec = match[1] ?? match[2] ?? match[3] ?? match[4];
    if (!spec) continue;
    if (rulesFor(layer).some((rule) => rule(spec))) violations.push(`${relative(root, file)}: ${layer}/ must not import '${spec}'`);
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(src)) continue;
      const targetLayer = layerOf(target);
      if (forbids(layer, targetLayer)) violations.push(`${relative(root, file)}: ${layer}/ must not import from ${targetLayer}/ ('${spec}')`);
    }
  }
}

if (violations.length > 0) {
  console.error(`Boundary check failed (${violations.length}):\n  ${violations.join('\n  ')}`);
  process.exit(1);
}
console.log('Boundary check passed.');
