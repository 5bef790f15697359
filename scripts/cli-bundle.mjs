#!/usr/bin/env node
// Bundles the headless CLIs (src/cli/serve.ts, src/cli/send.ts) into dist/cli/ so they run on plain
// `node`, with no TypeScript loader at run time. `node scripts/cli-bundle.mjs` builds; `ensureCli()`
// builds only when an input of the last build is newer than the bundle.
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// Required, not imported: an ES module's `import … from 'node:fs'` builds all of fs's named exports,
// which loads its streams and fs/promises (about 8 ms); this file runs before every CLI start.
const { readFileSync, statSync } = createRequire(import.meta.url)('node:fs');

export const cliNames = ['serve', 'send'];
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const thisFile = fileURLToPath(import.meta.url);

export function cliOutput(name, root = projectRoot) {
  return join(root, 'dist', 'cli', `${name}.js`);
}

/** The files the last build read, written beside the bundles: checking them is a few stat calls. */
export function cliManifest(root = projectRoot) {
  return join(root, 'dist', 'cli', 'inputs.json');
}

/** Makes the `.js` bundles CommonJS inside a `"type": "module"` project. */
const packageJson = (root) => join(root, 'dist', 'cli', 'package.json');

/** Written by npm on every install that changes node_modules: the bundled packages' versions. */
const installStamp = join('node_modules', '.package-lock.json');

function mtimeOrNull(path) {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? null;
}

/** The project's own files and, per bundled package, its package.json: what a build depends on. */
export function manifestInputs(metafileInputs) {
  const inputs = new Set();
  for (const input of metafileInputs) {
    const path = input.split('/').join(sep);
    const inPackage = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    inputs.add(inPackage ? join(inPackage[1], 'package.json') : path);
  }
  return [...inputs].sort();
}

/**
 * True when an output is missing, or an input of the last build (its manifest, npm's install stamp,
 * `inputs`: this build script) is missing or newer than the oldest output. Synchronous: it runs
 * before every CLI start, and a handful of stat calls cost less than promises around them.
 */
export function isCliStale(root = projectRoot, inputs = [thisFile]) {
  const outputs = [...cliNames.map((name) => cliOutput(name, root)), packageJson(root), cliManifest(root)];
  const times = outputs.map(mtimeOrNull);
  if (times.some((time) => time === null)) return true;
  const oldestOutput = Math.min(...times);
  let listed;
  try {
    listed = JSON.parse(readFileSync(cliManifest(root), 'utf8')).inputs;
  } catch {
    return true;
  }
  if (!Array.isArray(listed)) return true;
  for (const path of [...listed.map((input) => join(root, input)), ...inputs]) {
    const time = mtimeOrNull(path);
    if (time === null || time > oldestOutput) return true;
  }
  // No install stamp (node_modules from elsewhere) is no reason to rebuild.
  return (mtimeOrNull(join(root, installStamp)) ?? 0) > oldestOutput;
}

/**
 * An esbuild plugin that bundles the package files matching `filter` as `rewrite` turns their source;
 * a file `rewrite` leaves as it is (another version of the package) is bundled as it is.
 */
function rewritingPlugin(name, filter, rewrite) {
  return {
    name,
    setup(build) {
      build.onLoad({ filter }, async ({ path }) => {
        const { readFile } = await import('node:fs/promises');
        const source = await readFile(path, 'utf8');
        const rewritten = rewrite(source);
        if (rewritten === source) return undefined;
        return { contents: rewritten, loader: 'js', resolveDir: dirname(path) };
      });
    },
  };
}

/**
 * got's @sindresorhus/is builds two `Intl.ListFormat`s when it loads, for its error messages: the
 * first one starts ICU, 25 ms on Node 24 and 70 ms on Node 20, on every CLI start. The bundled copy
 * builds them when a message first needs one.
 */
export const lazyListFormat = rewritingPlugin(
  'lazy-list-format',
  /[\\/]@sindresorhus[\\/]is[\\/]distribution[\\/]index\.js$/,
  (source) => {
    const lazy = source.replaceAll('new Intl.ListFormat(', 'lazyListFormat(');
    if (lazy === source) return source;
    const helper = `\nfunction lazyListFormat(locale, options) {\n  let formatter;\n  return { format: (list) => (formatter ??= new Intl.ListFormat(locale, options)).format(list) };\n}\n`;
    return lazy + helper;
  },
);

/**
 * got's options import http2-wrapper when they load, and it opens a TLS socket on a dummy stream at
 * once to find a class it needs: Node builds a secure context for it, 60–80 ms of every CLI start.
 * Ferry never asks got for HTTP/2, so the bundled got loads http2-wrapper only when something reads it.
 */
export const lazyHttp2Wrapper = rewritingPlugin(
  'lazy-http2-wrapper',
  /[\\/]got[\\/]dist[\\/]source[\\/]core[\\/]options\.js$/,
  (source) =>
    source.replace(
      "import http2wrapper from 'http2-wrapper';",
      "const http2wrapper = { get auto() { return require('http2-wrapper').auto; }, " +
        "get globalAgent() { return require('http2-wrapper').globalAgent; } };",
    ),
);

/** Writes `contents` beside `path` and renames it over, stamped `at`: a reader never sees half a file. */
async function replaceFile(path, contents, at) {
  const { rename, rm, utimes, writeFile } = await import('node:fs/promises');
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, contents);
    await utimes(temporary, at, at);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Builds every CLI. Outputs are stamped with the build's start time: a source saved during the
 * build still counts as newer next time. The manifest goes last, so a build that stops halfway
 * leaves the CLIs stale.
 *
 * Start-up is what this is tuned for: the packages are bundled in (one file to load instead of
 * about 240 modules to resolve) and the output is CommonJS, because an ES module's `import` of
 * `node:http` builds its named exports and so loads Node's bundled undici (about 20 ms) for nothing.
 */
export async function buildCli(root = projectRoot) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new Error('esbuild is not installed: run `npm install` in the project folder first');
  }
  const startedAt = new Date();
  const outdir = join(root, 'dist', 'cli');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(cliNames.map((name) => [name, join(root, 'src', 'cli', `${name}.ts`)])),
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // ws loads these native add-ons if they are installed, and does without them otherwise.
    external: ['bufferutil', 'utf-8-validate'],
    define: { 'import.meta.url': '__bundleUrl' },
    banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [lazyListFormat, lazyHttp2Wrapper],
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  await (await import('node:fs/promises')).mkdir(outdir, { recursive: true });
  for (const file of result.outputFiles) await replaceFile(file.path, file.contents, startedAt);
  await replaceFile(packageJson(root), '{ "type": "commonjs" }\n', startedAt);
  const inputs = manifestInputs(Object.keys(result.metafile.inputs));
  await replaceFile(cliManifest(root), `${JSON.stringify({ inputs }, null, 1)}\n`, startedAt);
}

/** Builds the CLIs when they are missing or out of date; a no-op (a few stat calls) otherwise. */
export async function ensureCli(root = projectRoot) {
  if (isCliStale(root)) await buildCli(root);
}

/** One line for a failed build: esbuild's first error with its location, or the error's message. */
export function buildFailureLine(error) {
  const first = error?.errors?.[0];
  if (first) {
    const where = first.location ? `${first.location.file}:${first.location.line}:${first.location.column}: ` : '';
    return `${where}${first.text}`;
  }
  return error instanceof Error ? error.message : String(error);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    await buildCli();
    console.log(`Built ${cliNames.map((name) => `dist/cli/${name}.js`).join(', ')}`);
  } catch (error) {
    console.error(`ferry: could not build the CLI: ${buildFailureLine(error)}`);
    process.exit(1);
  }
}
