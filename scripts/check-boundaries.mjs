#!/usr/bin/env node
// Enforces the layer rules of docs/ARCHITECTURE.md independently of ESLint config:
// engine, shared and main/core never import electron, shared never imports node:*,
// renderer and web never import engine or main, main/core never reaches the Electron adapters,
// preload reaches only shared, the receiver's store reaches none of the parts that speak HTTP.
// Exits 1 on any violation.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(process.argv[2] ?? '.');
const src = join(root, 'src');
const importPattern =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

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
  return (forbiddenTargets[layer] ?? []).some((entry) =>
    entry === anyMain ? targetLayer === 'main' || targetLayer.startsWith('main/') : entry === targetLayer,
  );
}

/** Folders under src/ kept apart from others inside their layer; tests in them included. */
const receiverParts = ['tus', 'http', 'multipart', 'live', 'sharing'].map((part) => `engine/receiver/${part}`);
const folderRules = [
  // The store knows nothing of HTTP or of who calls it: another store (S3) must fit behind the same port.
  { folder: 'engine/receiver/store', forbidden: receiverParts },
];

const srcPath = (path) => relative(src, path).split(sep).join('/');
const isWithin = (path, folder) => srcPath(path) === folder || srcPath(path).startsWith(`${folder}/`);

const isTestFile = (path) => /\.test\.tsx?$/.test(path);
const candidates = ['', '.ts', '.tsx', '.js', '.mjs', '/index.ts', '/index.tsx'];
/** The source file a relative import names, or null when it is not a file under src/. */
function resolveSource(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const suffix of candidates) {
    const path = base + suffix;
    try {
      if (statSync(path).isFile()) return path;
    } catch {
      // not this spelling
    }
  }
  return null;
}

const violations = [];
/** Import graph of src/ without tests, for the circle check below. */
const graph = new Map();
for (const file of walk(src)) {
  const layer = layerOf(file);
  const text = readFileSync(file, 'utf8');
  const edges = new Set();
  if (!isTestFile(file)) graph.set(file, edges);
  for (const match of text.matchAll(importPattern)) {
    const spec = match[1] ?? match[2] ?? match[3] ?? match[4];
    if (!spec) continue;
    if (rulesFor(layer).some((rule) => rule(spec)))
      violations.push(`${relative(root, file)}: ${layer}/ must not import '${spec}'`);
    // Test code lives in *.test.ts files and test/, never in what ships.
    if (!isTestFile(file) && (spec === 'vitest' || spec.startsWith('vitest/')))
      violations.push(`${relative(root, file)}: only *.test.ts files in src/ may import '${spec}'`);
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(src + sep)) {
        if (!isTestFile(file) && !target.endsWith('package.json'))
          violations.push(`${relative(root, file)}: src/ must not import from outside src/ ('${spec}')`);
        continue;
      }
      const source = resolveSource(file, spec);
      if (source && !isTestFile(file)) edges.add(source);
      const targetLayer = layerOf(target);
      if (forbids(layer, targetLayer))
        violations.push(`${relative(root, file)}: ${layer}/ must not import from ${targetLayer}/ ('${spec}')`);
      for (const rule of folderRules) {
        if (!isWithin(file, rule.folder)) continue;
        const reached = rule.forbidden.find((folder) => isWithin(target, folder));
        if (reached)
          violations.push(`${relative(root, file)}: ${rule.folder}/ must not import from ${reached}/ ('${spec}')`);
      }
    }
  }
}

// Import circles, found as strongly connected components (Tarjan).
let counter = 0;
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
function connect(node) {
  index.set(node, counter);
  low.set(node, counter++);
  stack.push(node);
  onStack.add(node);
  for (const next of graph.get(node) ?? []) {
    if (!index.has(next)) {
      connect(next);
      low.set(node, Math.min(low.get(node), low.get(next)));
    } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), index.get(next)));
  }
  if (low.get(node) !== index.get(node)) return;
  const component = [];
  let member;
  do {
    member = stack.pop();
    onStack.delete(member);
    component.push(member);
  } while (member !== node);
  if (component.length > 1 || graph.get(node)?.has(node))
    violations.push(`import circle: ${component.map((path) => relative(root, path)).join(' -> ')}`);
}
for (const node of graph.keys()) if (!index.has(node)) connect(node);

if (violations.length > 0) {
  console.error(`Boundary check failed (${violations.length}):\n  ${violations.join('\n  ')}`);
  process.exit(1);
}
console.log('Boundary check passed.');
