// The `ferry` bin (scripts/ferry.mjs): `ferry serve|send …`, help, and usage errors.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { ensureCli, projectRoot } from '../../scripts/cli-bundle.mjs';

beforeAll(() => ensureCli());

function ferry(args: string[]) {
  return spawnSync(process.execPath, [join(projectRoot, 'scripts', 'ferry.mjs'), ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
}

it('--help lists both commands and exits 0', () => {
  const result = ferry(['--help']);
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/serve +run the receiver/);
  expect(result.stdout).toMatch(/send +upload files/);
});

it.each([[['send', '--help']], [['help', 'send']], [['--', 'send', '--help']]])('%j shows the send options', (args) => {
  const result = ferry(args);
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('Usage: ferry send [options] <paths...>');
  expect(result.stdout).toContain('--to <url>');
});

it('prints the version', () => {
  expect(ferry(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
});

it.each([[[]], [['upload']]])('exits 2 with the usage on %j', (args) => {
  const result = ferry(args);
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('Usage: ferry <command>');
});
