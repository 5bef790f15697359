// When `npm run serve|send` rebuilds dist/cli: only when a bundle is missing or a source is newer.
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildFailureLine, cliOutput, isCliStale } from '../../scripts/cli-bundle.mjs';

let root: string;
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000);

async function touch(relative: string, seconds: number): Promise<string> {
  const path = join(root, relative);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, '');
  await utimes(path, at(seconds), at(seconds));
  return path;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ferry-cli-bundle-'));
  await touch('src/engine/receiver/server.ts', 10);
  await touch('src/shared/units.ts', 10);
  await touch('src/cli/serve.ts', 10);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function bundlesAt(seconds: number): Promise<void> {
  for (const name of ['serve', 'send']) await touch(join('dist', 'cli', `${name}.js`), seconds);
}

it('is stale while a bundle is missing', async () => {
  expect(await isCliStale(root, [])).toBe(true);
  await touch('dist/cli/serve.js', 20);
  expect(cliOutput('serve', root)).toBe(join(root, 'dist', 'cli', 'serve.js'));
  expect(await isCliStale(root, [])).toBe(true);
});

it('is fresh when the bundles are newer than every source', async () => {
  await bundlesAt(20);
  expect(await isCliStale(root, [])).toBe(false);
});

it.each(['src/engine/sender/deep/new-file.ts', 'src/shared/units.ts', 'src/cli/send.ts'])(
  'is stale once %s is newer than the oldest bundle',
  async (source) => {
    await bundlesAt(20);
    await touch('dist/cli/send.js', 40);
    await touch(source, 30);
    expect(await isCliStale(root, [])).toBe(true);
  },
);

it('ignores tests, which are not bundled', async () => {
  await bundlesAt(20);
  await touch('src/engine/receiver/server.test.ts', 30);
  expect(await isCliStale(root, [])).toBe(false);
});

it('is stale when the build script itself changed', async () => {
  await bundlesAt(20);
  const script = await touch('scripts/cli-bundle.mjs', 30);
  expect(await isCliStale(root, [script])).toBe(true);
});

it('reports a build error as one line with its location', () => {
  const error = Object.assign(new Error('Build failed with 1 error'), {
    errors: [{ text: 'Expected ";" but found "}"', location: { file: 'src/cli/send.ts', line: 3, column: 7 } }],
  });
  expect(buildFailureLine(error)).toBe('src/cli/send.ts:3:7: Expected ";" but found "}"');
  expect(buildFailureLine(new Error('esbuild is not installed'))).toBe('esbuild is not installed');
});
