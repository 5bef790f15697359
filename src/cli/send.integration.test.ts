// `ferry send --json` end to end: a real child process against a receiver in this test.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliOutput, ensureCli } from '../../scripts/cli-bundle.mjs';
import { createReceiver, type Receiver } from '../engine/receiver/server';
import {
  KiB,
  MiB,
  makeTempDir,
  removeDir,
  sha256File,
  startTinyTus,
  writeRandomFile,
} from '../../test/support/sender-test-kit';
import { runNode } from '../../test/support/cli-run';
import { ProgressEvent } from '../shared/progress-event';

let sourceDir: string;
let receiveDir: string;
let stateDir: string;
let receiver: Receiver;
const hashes = new Map<string, string>();

beforeAll(async () => {
  await ensureCli();
  sourceDir = await makeTempDir('cli-src');
  receiveDir = await makeTempDir('cli-recv');
  stateDir = await makeTempDir('cli-state');
  hashes.set('alpha.bin', await writeRandomFile(join(sourceDir, 'alpha.bin'), 3 * MiB + 7));
  await mkdir(join(sourceDir, 'album', 'raw'), { recursive: true });
  hashes.set('album/cover.jpg', await writeRandomFile(join(sourceDir, 'album', 'cover.jpg'), 40 * KiB));
  hashes.set('album/raw/take-1.wav', await writeRandomFile(join(sourceDir, 'album', 'raw', 'take-1.wav'), 2 * MiB));
  hashes.set('album/empty.txt', await writeRandomFile(join(sourceDir, 'album', 'empty.txt'), 0));
  receiver = createReceiver({ dir: receiveDir, token: 'secret', logger: false });
  await receiver.listen();
});

afterAll(async () => {
  await receiver?.close();
  await removeDir(sourceDir);
  await removeDir(receiveDir);
  await removeDir(stateDir);
});

/** The bundled CLI that `npm run send` runs, on plain node: no wrapper process, no TypeScript loader. */
const send = (args: string[]) => runNode([cliOutput('send'), ...args]);

const Summary = {
  parse(line: string | undefined) {
    const value = JSON.parse(line ?? 'null') as {
      type: string;
      files: {
        path: string;
        name: string;
        size: number;
        status: string;
        sha256?: string;
        url?: string;
        error?: { code: string; message: string };
      }[];
      completed: number;
      failed: number;
      bytes: number;
      seconds: number;
    };
    expect(value.type).toBe('summary');
    return value;
  },
};

it(
  '--json prints schema-valid NDJSON progress, then a summary with a sha256 per file, and exits 0',
  { timeout: 60_000 },
  async () => {
    const statePath = join(stateDir, 'ok.json');
    const run = await send([
      join(sourceDir, 'alpha.bin'),
      join(sourceDir, 'album'),
      '--to',
      `${receiver.url}/files/`,
      '--token',
      'secret',
      '--json',
      '--state',
      statePath,
      '--chunk-size',
      '1MiB',
      '--concurrency',
      '2',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.lines.length).toBeGreaterThan(1);

    const events = run.lines.slice(0, -1).map((line) => ProgressEvent.parse(JSON.parse(line)));
    const summary = Summary.parse(run.lines.at(-1));

    // Per upload: seq and offset only grow, the last event is "completed", and nothing follows it.
    const byUpload = new Map<string, ProgressEvent[]>();
    for (const event of events) byUpload.set(event.uploadId, [...(byUpload.get(event.uploadId) ?? []), event]);
    expect(byUpload.size).toBe(hashes.size);
    for (const [id, list] of byUpload) {
      for (let i = 1; i < list.length; i++) {
        expect(list[i]!.seq, id).toBeGreaterThan(list[i - 1]!.seq);
        expect(list[i]!.offset, id).toBeGreaterThanOrEqual(list[i - 1]!.offset);
      }
      const last = list.at(-1)!;
      expect([last.status, last.offset, last.progress]).toEqual(['completed', last.length, 1]);
      expect(list.filter((event) => event.status === 'completed')).toHaveLength(1);
    }

    expect(summary).toMatchObject({ completed: hashes.size, failed: 0, bytes: 3 * MiB + 7 + 40 * KiB + 2 * MiB });
    expect(summary.seconds).toBeGreaterThan(0);
    expect(summary.files.map((file) => file.name).sort()).toEqual([...hashes.keys()].sort());
    for (const file of summary.files) {
      expect(file.status).toBe('completed');
      expect(file.sha256, file.name).toBe(hashes.get(file.name));
      // The summary's hash is the source's; the receiver's copy must match it too.
      expect(await sha256File(join(receiveDir, file.name)), file.name).toBe(file.sha256);
    }
  },
);

const refusals: [string, () => Promise<{ to: string; token: string; close(): Promise<void> }>, RegExp][] = [
  [
    'a receiver given the wrong token (401)',
    async () => ({ to: `${receiver.url}/files/`, token: 'wrong', close: async () => undefined }),
    /401/,
  ],
  [
    'a tus server answering 403 on POST',
    async () => {
      const server = await startTinyTus({ fault: ({ method }) => (method === 'POST' ? { status: 403 } : undefined) });
      return { to: server.endpoint, token: 'any', close: () => server.close() };
    },
    /403/,
  ],
];

it.each(refusals)(
  'exits non-zero and reports the failure against %s',
  { timeout: 60_000 },
  async (_name, makeTarget, status) => {
    const target = await makeTarget();
    try {
      const run = await send([
        join(sourceDir, 'alpha.bin'),
        '--to',
        target.to,
        '--token',
        target.token,
        '--json',
        '--state',
        join(stateDir, `refused-${Date.now()}.json`),
      ]);
      expect(run.code, run.stderr).toBe(1);
      const events = run.lines.slice(0, -1).map((line) => ProgressEvent.parse(JSON.parse(line)));
      expect(events.at(-1)).toMatchObject({
        status: 'failed',
        errorCode: expect.stringMatching(/^[A-Z0-9_]+$/),
        message: expect.stringMatching(status),
      });
      const summary = Summary.parse(run.lines.at(-1));
      expect(summary).toMatchObject({ completed: 0, failed: 1, bytes: 0 });
      expect(summary.files[0]).toMatchObject({
        name: 'alpha.bin',
        status: 'failed',
        error: { code: expect.any(String), message: expect.stringMatching(status) },
      });
      expect(summary.files[0]!.sha256).toBeUndefined();
    } finally {
      await target.close();
    }
  },
);

// A path that cannot be read counts as a failed file: named on stderr, in the summary, and in the exit code.
it('exits non-zero when one of the given paths does not exist', { timeout: 60_000 }, async () => {
  const run = await send([
    join(sourceDir, 'alpha.bin'),
    join(sourceDir, 'no-such-file.bin'),
    '--to',
    `${receiver.url}/files/`,
    '--token',
    'secret',
    '--json',
    '--state',
    join(stateDir, 'missing.json'),
  ]);
  expect(run.stderr).toContain('no-such-file.bin');
  expect(run.code).not.toBe(0);
});

it('exits 2 on a malformed --to without touching the network', async () => {
  const run = await send([
    join(sourceDir, 'alpha.bin'),
    '--to',
    'not a url',
    '--json',
    '--state',
    join(stateDir, 'never.json'),
  ]);
  expect(run.code).toBe(2);
  expect(run.lines).toEqual([]);
  expect(run.stderr).toContain('--to must be a URL');
});

it.each([
  ['--stall-timeout', 'soon', 'Not a duration'],
  ['--chunk-size', 'big', 'Not a size'],
])('exits with a usage error on %s %s, before touching the network', async (flag, value, message) => {
  const run = await send([
    join(sourceDir, 'alpha.bin'),
    '--to',
    `${receiver.url}/files/`,
    flag,
    value,
    '--state',
    join(stateDir, 'never.json'),
  ]);
  expect(run.code).not.toBe(0);
  expect(run.lines).toEqual([]);
  expect(run.stderr).toContain(message);
});
