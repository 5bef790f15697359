// The `ferry` bin (scripts/ferry.mjs): `ferry serve|send …`, help, usage errors, and what `send --json` reports.
import { spawnSync } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCli, projectRoot } from '../../scripts/cli-bundle.mjs';
import { createReceiver, type Receiver } from '../../src/engine/receiver/server';
import { ProgressEvent } from '../../src/shared/progress-event';
import { runNode } from '../support/cli-run';
import { KiB, MiB, makeTempDir, removeDir, startTinyTus, writeRandomFile } from '../support/sender-test-kit';

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

it.runIf(typeof (await import('node:module')).default.enableCompileCache === 'function')(
  "keeps the bundle's compiled code in the temp folder, so the next start is quicker",
  async () => {
    const tmp = await makeTempDir('cli-compile-cache');
    try {
      const env = { ...process.env, TMPDIR: tmp, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined };
      const result = spawnSync(process.execPath, [join(projectRoot, 'scripts', 'ferry.mjs'), 'send', '--help'], {
        encoding: 'utf8',
        env,
        timeout: 30_000,
      });
      expect(result.status).toBe(0);
      expect(await readdir(tmp)).toContain('node-compile-cache');
    } finally {
      await removeDir(tmp);
    }
  },
);

/** `ferry send …` without blocking this process, which runs the receiver it sends to. */
const ferrySend = (args: string[]) => runNode([join(projectRoot, 'scripts', 'ferry.mjs'), 'send', ...args]);

describe('send --json reports the sha256 of every file that landed', () => {
  let dir: string;
  let receiver: Receiver;
  /** Name on the receiver → sha256 of the source. */
  const hashes = new Map<string, string>();

  beforeAll(async () => {
    dir = await makeTempDir('cli-sha256');
    await mkdir(join(dir, 'src', 'set'), { recursive: true });
    // One request, sealed parts (to Ferry) or plain chunks (elsewhere), and an empty file.
    hashes.set('set/small.bin', await writeRandomFile(join(dir, 'src', 'set', 'small.bin'), 30 * KiB));
    hashes.set('set/chunked.bin', await writeRandomFile(join(dir, 'src', 'set', 'chunked.bin'), 3 * MiB + 5));
    hashes.set('set/empty.txt', await writeRandomFile(join(dir, 'src', 'set', 'empty.txt'), 0));
    receiver = createReceiver({ dir: join(dir, 'received'), token: 'secret', logger: false });
    await receiver.listen();
  });

  afterAll(async () => {
    await receiver?.close();
    await removeDir(dir);
  });

  async function sendSet(to: string, state: string) {
    const run = await ferrySend([
      join(dir, 'src', 'set'),
      '--to',
      to,
      '--token',
      'secret',
      '--json',
      '--chunk-size',
      '1MiB',
      '--state',
      join(dir, state),
    ]);
    expect(run.code, run.stderr).toBe(0);
    const landed = run.lines
      .slice(0, -1)
      .map((line) => ProgressEvent.parse(JSON.parse(line)))
      .filter((event) => event.status === 'completed');
    const summary = JSON.parse(run.lines.at(-1)!) as {
      files: { name: string; status: string; sha256?: string; sha256Confirmed?: boolean }[];
    };
    return { landed, summary };
  }

  it.each([
    ["Ferry's receiver, which confirms it", true],
    ['another tus server, which cannot', false],
  ])('to %s', async (_label, confirmedByFerry) => {
    const tiny = confirmedByFerry ? undefined : await startTinyTus();
    try {
      const to = tiny?.endpoint ?? `${receiver.url}/files/`;
      const { landed, summary } = await sendSet(to, `state-${confirmedByFerry}.json`);
      // Each file's completed event names the digest, as the summary does.
      expect(landed.map((event) => [event.context.filename, event.context.sha256]).sort()).toEqual([...hashes].sort());
      for (const event of landed) expect(event.context.sha256Confirmed).toBe(confirmedByFerry);
      expect(summary.files.map((file) => [file.name, file.status, file.sha256, file.sha256Confirmed]).sort()).toEqual(
        [...hashes].map(([name, hash]) => [name, 'completed', hash, confirmedByFerry]).sort(),
      );
    } finally {
      await tiny?.close();
    }
  });
});
