// `npm start` where Electron cannot run: it must say why in one line, point to `npm run serve` and
// exit non-zero. The download is made to fail at once without leaving this machine.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'ferry-start-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** This environment without anything that could point Electron's installer at a real host or cache. */
function isolatedEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/electron|proxy|^display$|^wayland_display$/i.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

function start(env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ['scripts/start.mjs'], { cwd: repoRoot, encoding: 'utf8', env, timeout: 30_000 });
}

it('explains in one line that the runtime could not be downloaded, and exits 1', () => {
  const result = start(
    isolatedEnv({
      DISPLAY: ':99',
      // Port 9 is one fetch refuses outright: nothing is sent anywhere.
      ELECTRON_MIRROR: 'http://127.0.0.1:9/',
      electron_config_cache: join(scratch, 'cache'),
      // An empty runtime folder: the same outcome whether or not this machine has fetched one before.
      ELECTRON_OVERRIDE_DIST_PATH: join(scratch, 'dist'),
    }),
  );
  expect(result.status, result.stderr).toBe(1);
  expect(result.stderr.trim().split('\n')).toEqual([
    expect.stringMatching(/^Ferry: Electron's runtime could not be downloaded \(fetch failed.*\).*`npm run serve`/),
  ]);
  expect(result.stdout.trim()).toBe("Ferry: fetching Electron's runtime (first start only)…");
});

it.runIf(process.platform === 'linux')(
  'explains in one line that there is no display, before fetching anything',
  () => {
    const result = start(
      isolatedEnv({ ELECTRON_MIRROR: 'http://127.0.0.1:9/', electron_config_cache: join(scratch, 'cache') }),
    );
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^Ferry: no display here .*`npm run serve`/),
    ]);
    expect(result.stdout).toBe('');
  },
);
