import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import {
  landedFiles,
  landedHash,
  makeFile,
  sha256,
  type Stack,
  stackPerTest,
  tempDir,
  token,
  waitFor,
} from './harness';
import { isCreation } from './scripted-front';

// RELIABILITY case 10: the sender (the `ferry send` CLI) is killed with SIGKILL mid-upload, several
// times, and started again with the same arguments and state file. It finds the upload by its
// fingerprint, HEADs and resumes: re-sent bytes stay within one chunk per kill. A source that
// changed between runs is sent as a new upload, never stitched onto the old one.

const chunkSize = 128 * 1024;
const root = join(import.meta.dirname, '..', '..');
const stacks = stackPerTest();
const children = new Set<ChildProcess>();

afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

interface Run {
  child: ChildProcess;
  exited: Promise<number | null>;
  stdout: () => string;
}

function send(path: string, endpoint: string, state: string): Run {
  const args = [
    '--import',
    'tsx',
    'src/cli/send.ts',
    path,
    '--to',
    endpoint,
    '--token',
    token,
    '--state',
    state,
    '--json',
    '--chunk-size',
    String(chunkSize),
    '--limit-rate',
    '2MiB',
    '--stall-timeout',
    '3',
  ];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (data: Buffer) => (out += data.toString()));
  child.stderr!.resume();
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => (children.delete(child), resolve(code))),
  );
  return { child, exited, stdout: () => out };
}

/** Starts the CLI and kills it once `extra` more bytes crossed the proxy; false if it finished first. */
async function sendAndKill(stack: Stack, path: string, state: string, extra: number): Promise<boolean> {
  const from = stack.proxy.stats.upstreamBytes;
  const run = send(path, stack.endpoint, state);
  let finished = false;
  void run.exited.then(() => (finished = true));
  await waitFor(() => finished || stack.proxy.stats.upstreamBytes - from >= extra, 30_000, 'upload bytes');
  if (finished) return false;
  run.child.kill('SIGKILL');
  await run.exited;
  return true;
}

function summaryOf(run: Run): { files: { sha256?: string; status: string }[]; failed: number } {
  const lines = run.stdout().trim().split('\n');
  return JSON.parse(lines.at(-1)!) as { files: { sha256?: string; status: string }[]; failed: number };
}

it('resumes after repeated SIGKILLs, re-sending at most a chunk per kill', async () => {
  const stack = await stacks.start();
  const src = await tempDir('src');
  const file = await makeFile(src, 'killed.bin', 3 * 1024 * 1024);
  const state = join(await tempDir('state'), 'queue.json');
  // Random kill points; the first lands early, right after the upload is created.
  const points = [
    40_000 + Math.floor(Math.random() * 150_000),
    ...[0, 0].map(() => 150_000 + Math.floor(Math.random() * 500_000)),
  ];
  let kills = 0;
  for (const extra of points) if (await sendAndKill(stack, file.path, state, extra)) kills += 1;
  expect(kills, `kill points ${points.join(', ')}`).toBe(3);

  const last = send(file.path, stack.endpoint, state);
  expect(await last.exited).toBe(0);
  expect(summaryOf(last).files[0]).toMatchObject({ status: 'completed', sha256: file.hash });
  expect(await landedHash(stack.dir, 'killed.bin')).toBe(file.hash);
  expect(await landedFiles(stack.dir)).toEqual(['killed.bin']);

  // Each restart found the same upload: one creation in all, and every later run began with HEAD.
  const log = stack.front.log;
  expect(log.filter(isCreation)).toHaveLength(1);
  // Sealed once under its sha256: the final upload was asked for once.
  expect(log.filter((e) => e.method === 'POST' && e.concat?.startsWith('final')).map((e) => e.status)).toEqual([201]);
  expect(log.filter((e) => e.method === 'HEAD').length).toBeGreaterThanOrEqual(3);
  // Bytes on the wire: the file, at most one chunk per kill, and request headers per run.
  const slack = 4 * 16 * 1024;
  expect(stack.proxy.stats.upstreamBytes, `kill points ${points.join(', ')}`).toBeLessThanOrEqual(
    file.size + kills * chunkSize + slack,
  );
});

it('sends a source that changed between runs as a new upload, never a mixed file', async () => {
  const stack = await stacks.start();
  const src = await tempDir('src');
  const file = await makeFile(src, 'edited.bin', 2 * 1024 * 1024);
  const state = join(await tempDir('state'), 'queue.json');
  expect(await sendAndKill(stack, file.path, state, 700_000)).toBe(true);
  const firstUpload = stack.front.log.find((e) => isCreation(e) && e.status === 201)!;
  expect(firstUpload).toBeDefined();

  // Same size, new bytes, new mtime.
  const fresh = randomBytes(2 * 1024 * 1024);
  await writeFile(file.path, fresh);
  const again = send(file.path, stack.endpoint, state);
  expect(await again.exited).toBe(0);

  expect(summaryOf(again).files[0]).toMatchObject({ status: 'completed', sha256: sha256(fresh) });
  expect(await landedHash(stack.dir, 'edited.bin')).toBe(sha256(fresh));
  expect(await landedFiles(stack.dir)).toEqual(['edited.bin']);
  const posts = stack.front.log.filter(isCreation);
  expect(posts).toHaveLength(2);
  // The old upload was left alone: the second run never touched it.
  const oldId = stack.front.log.find((e) => e.method === 'PATCH')!.uploadId;
  expect(stack.front.log.filter((e) => e.seq > posts[1]!.seq && e.uploadId === oldId)).toEqual([]);
  const firstNewPatch = stack.front.log.find((e) => e.method === 'PATCH' && e.seq > posts[1]!.seq);
  expect(firstNewPatch?.offset).toBe(0);
});
