#!/usr/bin/env node
// Enforces the layer rules of docs/ARCHITECTURE.md independently of ESLint config:
// engine and shared never import electron, shared never imports node:*,
// renderer and web never import engine or main. Exits 1 on any violation.
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

function layerOf(path) {
  return relative(src, path).split(/[\\/]/)[0];
}

function rulesFor(layer) {
  const rules = [];
  if (layer === 'engine' || layer === 'shared') rules.push((spec) => spec === 'electron' || spec.startsWith('electron/'));
  if (layer === 'shared') rules.push((spec) => spec.startsWith('node:'));
  return rules;
}

const forbiddenTargets = { renderer: ['engine', 'main', 'preload'], web: ['engine', 'main', 'preload', 'renderer'], shared: ['engine', 'main', 'renderer', 'preload', 'web', 'cli'], engine: ['main', 'renderer', 'preload', 'web', 'cli'] };

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
      if ((forbiddenTargets[layer] ?? []).includes(targetLayer)) violations.push(`${relative(root, file)}: ${layer}/ must not import from ${targetLayer}/ ('${spec}')`);
    }
  }
}

if (violations.length > 0) {
  console.error(`Boundary check failed (${violations.length}):\n  ${violations.join('\n  ')}`);
  process.exit(1);
}
console.log('Boundary check passed.');
