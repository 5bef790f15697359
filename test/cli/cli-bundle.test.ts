// When `npm run serve|send` rebuilds dist/cli: only when an output is missing or an input of the last
// build (listed in dist/cli/inputs.json) is newer.
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  buildFailureLine,
  cliManifest,
  cliOutput,
  isCliStale,
  lazyHttp2Wrapper,
  lazyListFormat,
  manifestInputs,
  projectRoot,
} from '../../scripts/cli-bundle.mjs';

let root: string;
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000);
const sources = ['src/engine/receiver/server.ts', 'src/shared/units.ts', 'src/cli/serve.ts', 'src/cli/send.ts'];

async function touch(relative: string, seconds: number, contents = ''): Promise<string> {
  const path = join(root, relative);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, contents);
  await utimes(path, at(seconds), at(seconds));
  return path;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ferry-cli-bundle-'));
  for (const source of sources) await touch(source, 10);
  await touch('node_modules/got/package.json', 10);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** What a build leaves: both bundles, dist/cli/package.json and the manifest, all stamped `seconds`. */
async function builtAt(seconds: number, inputs = [...sources, 'node_modules/got/package.json']): Promise<void> {
  for (const name of ['serve', 'send']) await touch(join('dist', 'cli', `${name}.js`), seconds);
  await touch('dist/cli/package.json', seconds);
  await touch('dist/cli/inputs.json', seconds, JSON.stringify({ inputs }));
}

it('is stale while an output is missing', async () => {
  expect(isCliStale(root, [])).toBe(true);
  await builtAt(20);
  expect(cliOutput('serve', root)).toBe(join(root, 'dist', 'cli', 'serve.js'));
  expect(cliManifest(root)).toBe(join(root, 'dist', 'cli', 'inputs.json'));
  for (const output of ['dist/cli/send.js', 'dist/cli/package.json', 'dist/cli/inputs.json']) {
    await builtAt(20);
    await rm(join(root, output));
    expect(isCliStale(root, [])).toBe(true);
  }
});

it('is fresh when the outputs are newer than every input of the last build', async () => {
  await builtAt(20);
  expect(isCliStale(root, [])).toBe(false);
});

it.each([...sources, 'node_modules/got/package.json'])(
  'is stale once %s is newer than the oldest output',
  async (input) => {
    await builtAt(20);
    await touch('dist/cli/send.js', 40);
    await touch(input, 30);
    expect(isCliStale(root, [])).toBe(true);
  },
);

it('is stale when an input of the last build is gone', async () => {
  await builtAt(20);
  await rm(join(root, 'src/shared/units.ts'));
  expect(isCliStale(root, [])).toBe(true);
});

it('ignores files the last build did not read: tests, and sources nothing imports yet', async () => {
  await builtAt(20);
  await touch('src/engine/receiver/server.test.ts', 30);
  await touch('src/engine/sender/deep/new-file.ts', 30);
  expect(isCliStale(root, [])).toBe(false);
});

it('is stale after an npm install, which rewrites node_modules/.package-lock.json', async () => {
  await builtAt(20);
  await touch('node_modules/.package-lock.json', 10);
  expect(isCliStale(root, [])).toBe(false);
  await touch('node_modules/.package-lock.json', 30);
  expect(isCliStale(root, [])).toBe(true);
});

it('is stale when the build script itself changed', async () => {
  await builtAt(20);
  const script = await touch('scripts/cli-bundle.mjs', 30);
  expect(isCliStale(root, [script])).toBe(true);
});

it('is stale when the manifest cannot be read', async () => {
  await builtAt(20);
  await touch('dist/cli/inputs.json', 20, 'not json');
  expect(isCliStale(root, [])).toBe(true);
});

it('lists the project files a build read, and one package.json per bundled package', () => {
  expect(
    manifestInputs([
      'src/cli/send.ts',
      'node_modules/got/dist/source/index.js',
      'node_modules/got/dist/source/core/index.js',
      'node_modules/@sindresorhus/is/distribution/index.js',
      'node_modules/a/node_modules/b/lib/b.js',
    ]),
  ).toEqual([
    join('node_modules/@sindresorhus/is/package.json'),
    join('node_modules/a/node_modules/b/package.json'),
    join('node_modules/got/package.json'),
    join('src/cli/send.ts'),
  ]);
});

it('bundles got’s @sindresorhus/is so that loading it starts no Intl.ListFormat (ICU), and its messages still use one', async () => {
  const result = await build({
    absWorkingDir: projectRoot,
    stdin: { contents: "export { assert } from '@sindresorhus/is';", resolveDir: projectRoot },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
    plugins: [lazyListFormat],
  });
  let made = 0;
  const Counted = class extends Intl.ListFormat {
    constructor(...args: ConstructorParameters<typeof Intl.ListFormat>) {
      super(...args);
      made++;
    }
  };
  const module = { exports: {} as { assert: { any(predicates: unknown[], value: unknown): void } } };
  const intl = { ...Intl, ListFormat: Counted };
  new Function('module', 'exports', 'require', 'Intl', result.outputFiles[0]!.text)(
    module,
    module.exports,
    () => ({}),
    intl,
  );
  expect(made).toBe(0);
  const isString = (value: unknown) => typeof value === 'string';
  const isNumber = (value: unknown) => typeof value === 'number';
  expect(() => module.exports.assert.any([isString, isNumber], null)).toThrow(/Expected values which are/);
  expect(made).toBeGreaterThan(0);
});

it('bundles got’s options so that loading them opens no TLS socket (http2-wrapper), and HTTP/2 still loads it', async () => {
  const options = join(projectRoot, 'node_modules', 'got', 'dist', 'source', 'core', 'options.js');
  const result = await build({
    absWorkingDir: projectRoot,
    stdin: { contents: `export { default as Options } from ${JSON.stringify(options)};`, resolveDir: projectRoot },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
    plugins: [lazyHttp2Wrapper],
  });
  const bundle = join(root, 'options.cjs');
  await writeFile(bundle, result.outputFiles[0]!.text);
  // Counts the TLS sockets made: http2-wrapper makes one as it loads.
  const script = `
    const tls = require('node:tls');
    let made = 0;
    const Original = tls.TLSSocket;
    tls.TLSSocket = function (...args) { made++; return new Original(...args); };
    const { Options } = require(${JSON.stringify(bundle)});
    const plain = new Options('http://127.0.0.1/');
    const atLoad = made;
    const http2 = new Options('https://127.0.0.1/', { http2: true }).getFallbackRequestFunction();
    console.log(JSON.stringify({ atLoad, plain: typeof plain.getFallbackRequestFunction(), http2: typeof http2, made }));`;
  const seen = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as Record<
    string,
    unknown
  >;
  expect(seen).toEqual({ atLoad: 0, plain: 'function', http2: 'function', made: 1 });
});

it('reports a build error as one line with its location', () => {
  const error = Object.assign(new Error('Build failed with 1 error'), {
    errors: [{ text: 'Expected ";" but found "}"', location: { file: 'src/cli/send.ts', line: 3, column: 7 } }],
  });
  expect(buildFailureLine(error)).toBe('src/cli/send.ts:3:7: Expected ";" but found "}"');
  expect(buildFailureLine(new Error('esbuild is not installed'))).toBe('esbuild is not installed');
});
