#!/usr/bin/env node
// `npm start`: fetches Electron's runtime on first start, builds the app and opens its window. Where
// that cannot happen it says why in one line, points to `npm run serve`, and exits non-zero.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronExecutable, fetchFailedLine, launchFailedLine, planStart } from './start-plan.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

function refuse(line) {
  console.error(line);
  process.exit(1);
}

function packageDir(name) {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return refuse(`Ferry: ${name} is not installed; run \`npm install\` first.`);
  }
}

/** The runtime's executable when it is on disk, else null. */
function installedRuntime(electronDir) {
  const pathFile = join(electronDir, 'path.txt');
  const pathTxt = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const executable = electronExecutable(electronDir, process.env, pathTxt);
  return executable && existsSync(executable) ? executable : null;
}

/** Runs a child to its end; SIGINT and SIGTERM sent to this process are passed on to it. */
function run(command, args, options) {
  return new Promise((resolve) => {
    const child = spawn(command, args, options);
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (text) => (output += text));
    child.stderr?.setEncoding('utf8').on('data', (text) => (output += text));
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    const done = (result) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      resolve({ output, ...result });
    };
    child.once('error', (error) => done({ error }));
    child.once('close', (code, signal) => done({ code, signal }));
  });
}

// Electron's installer prints only "fetch failed"; this preload adds the reason underneath
// (e.g. "getaddrinfo ENOTFOUND github.com") as a `cause:` line.
const fetchCause = `const f = globalThis.fetch;
globalThis.fetch = async (...args) => {
  try { return await f(...args); } catch (error) {
    if (error?.cause?.message) process.stderr.write('cause: ' + error.cause.message + '\\n');
    throw error;
  }
};`;

const electronDir = packageDir('electron');
const plan = planStart({
  platform: process.platform,
  env: process.env,
  runtimeInstalled: installedRuntime(electronDir) !== null,
});
if ('refuse' in plan) refuse(plan.refuse);

for (const step of plan.steps) {
  if (step === 'fetch-runtime') {
    console.log("Ferry: fetching Electron's runtime (first start only)…");
    // Electron's own installer (its `install-electron` bin); its stack trace is condensed to one line.
    const result = await run(
      process.execPath,
      [`--import=data:text/javascript,${encodeURIComponent(fetchCause)}`, join(electronDir, 'install.js')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (result.error || result.code !== 0 || !installedRuntime(electronDir))
      refuse(fetchFailedLine(result.error?.message ?? result.output));
  } else if (step === 'build') {
    const electronVite = join(packageDir('electron-vite'), 'bin', 'electron-vite.js');
    const result = await run(process.execPath, [electronVite, 'build'], { cwd: root, stdio: 'inherit' });
    if (result.code !== 0) refuse('Ferry: `electron-vite build` failed (its errors are above).');
  } else {
    const env = { ...process.env };
    // Set, it would make the runtime behave as plain Node instead of opening the app.
    delete env.ELECTRON_RUN_AS_NODE;
    const result = await run(installedRuntime(electronDir), [root], { cwd: root, stdio: 'inherit', env });
    if (result.error) refuse(launchFailedLine(result.error));
    process.exit(result.code ?? 1);
  }
}
