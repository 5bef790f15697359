#!/usr/bin/env node
// Bundles the headless CLIs (src/cli/serve.ts, src/cli/send.ts) into dist/cli/ so they run on plain
// `node`, with no TypeScript loader at run time. `node scripts/cli-bundle.mjs` builds; `ensureCli()`
// builds only when a source is newer than the bundle.
import { mkdir, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const cliNames = ['serve', 'send'];
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));
/** Everything the CLIs import from the project lives here. */
const sourceDirs = ['src/engine', 'src/shared', 'src/cli'];
const thisFile = fileURLToPath(import.meta.url);

export function cliOutput(name, root = projectRoot) {
  return join(root, 'dist', 'cli', `${name}.js`);
}

async function mtimeOrNull(path) {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return null;
  }
}

/** Newest modification time of the files under `dir`, tests excepted (they are not bundled). */
async function newestUnder(dir) {
  let newest = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return newest;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestUnder(path));
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, (await mtimeOrNull(path)) ?? 0);
  }
  return newest;
}

/** True when a bundle is missing or older than any source file (or this build script). */
export async function isCliStale(root = projectRoot, inputs = [thisFile]) {
  const outputs = await Promise.all(cliNames.map((name) => mtimeOrNull(cliOutput(name, root))));
  if (outputs.some((time) => time === null)) return true;
  const oldestOutput = Math.min(...outputs);
  const newestDir = Math.max(...(await Promise.all(sourceDirs.map((dir) => newestUnder(join(root, dir))))));
  const newestInput = Math.max(0, ...(await Promise.all(inputs.map(async (path) => (await mtimeOrNull(path)) ?? 0))));
  return Math.max(newestDir, newestInput) > oldestOutput;
}

/**
 * Builds every CLI. Each file is written beside its target and renamed over it, so a CLI starting
 * while another process rebuilds never reads half a file. Outputs are stamped with the build's start
 * time: a source saved during the build still counts as newer next time.
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
    format: 'esm',
    target: 'node20',
    // node_modules are there at run time; bundling only the project's own code keeps the files small.
    packages: 'external',
    sourcemap: 'linked',
    write: false,
    logLevel: 'silent',
  });
  await mkdir(outdir, { recursive: true });
  for (const file of result.outputFiles) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, file.contents);
      await utimes(temporary, startedAt, startedAt);
      await rename(temporary, file.path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}

/** Builds the CLIs when they are missing or out of date; a no-op (a few stat calls) otherwise. */
export async function ensureCli(root = projectRoot) {
  if (await isCliStale(root)) await buildCli(root);
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
