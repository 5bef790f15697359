import { writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import type { ProgressEvent } from '../../src/shared/progress-event';
import { isTerminal } from '../../src/shared/progress-event';
import {
  auth,
  landedHash,
  makeFile,
  memoryQueue,
  sha256,
  type Stack,
  stackPerTest,
  tempDir,
  testPool,
  waitFor,
} from './harness';

// A job that starts a new upload (the old one is gone, or the source changed) tells its progress
// stream so: a new attempt begins with a `created` event at offset 0, seq keeps counting, and the
// bar follows the new upload instead of freezing at the old offset.

const stacks = stackPerTest();

const attemptOf = (event: ProgressEvent) => (typeof event.context.attempt === 'number' ? event.context.attempt : 1);

/** The stream's guarantees, per attempt: seq +1 each time, offsets only grow, nothing after a terminal event. */
function problemsIn(events: ProgressEvent[]): string[] {
  const problems: string[] = [];
  for (let i = 1; i < events.length; i++) {
    const [prev, event] = [events[i - 1]!, events[i]!];
    if (event.seq !== prev.seq + 1) problems.push(`seq ${prev.seq} then ${event.seq}`);
    const newAttempt = attemptOf(event) === attemptOf(prev) + 1 && event.status === 'created';
    if (attemptOf(event) !== attemptOf(prev) && !newAttempt)
      problems.push(`attempt ${attemptOf(prev)} then ${attemptOf(event)} (${event.status})`);
    if (newAttempt) continue;
    if (isTerminal(prev.status)) problems.push(`${event.status} after ${prev.status}`);
    if (event.offset < prev.offset) problems.push(`offset ${prev.offset} then ${event.offset}`);
  }
  return problems;
}

async function run(
  setup: (stack: Stack, path: string) => void,
  during?: (job: () => { acknowledged: number }, path: string) => Promise<void>,
) {
  const stack = await stacks.start();
  const src = await tempDir('src');
  const file = await makeFile(src, 'again.bin', 512 * 1024);
  setup(stack, file.path);
  const queue = await memoryQueue();
  await queue.add([file.path], { endpoint: stack.endpoint, headers: auth });
  // 512 KiB/s: a 64 KiB chunk takes longer than the hub's 100 ms throttle, so each shows.
  const pool = testPool(queue, { chunkSize: 64 * 1024, rateLimit: 512 * 1024 });
  const events: ProgressEvent[] = [];
  pool.hub.subscribe((event) => events.push(event));
  pool.start();
  const id = queue.list()[0]!.id;
  if (during) await during(() => queue.get(id)!, file.path);
  await pool.whenIdle();
  await pool.close();
  return { job: queue.get(id)!, events, file, stack };
}

function expectRestartedStream(events: ProgressEvent[], size: number) {
  expect(problemsIn(events)).toEqual([]);
  const restart = events.findIndex((event) => attemptOf(event) === 2);
  expect(restart).toBeGreaterThan(0);
  expect(events[restart]).toMatchObject({ status: 'created', offset: 0 });
  const before = Math.max(...events.slice(0, restart).map((event) => event.offset));
  expect(before).toBeGreaterThan(0);
  // The bar follows the new upload from zero: offsets below the old high mark show up.
  const after = events.slice(restart + 1);
  expect(after.some((event) => event.status === 'running' && event.offset > 0 && event.offset < before)).toBe(true);
  expect(after.at(-1)).toMatchObject({ status: 'completed', offset: size, length: size });
}

it('a 404 on the resume HEAD: the stream starts a second attempt and the bar follows it', async () => {
  const { job, events, file, stack } = await run((stack) => {
    stack.front.script(
      { method: 'PATCH', when: (e) => (e.offset ?? 0) >= 256 * 1024, times: 1, status: 500 },
      { method: 'HEAD', times: 1, status: 404 },
    );
  });
  expect(job.status).toBe('completed');
  expect(await landedHash(stack.dir, 'again.bin')).toBe(file.hash);
  expectRestartedStream(events, file.size);
});

it('a source changed mid-upload: a second attempt with the new length, seq never repeating', async () => {
  const fresh = randomBytes(300 * 1024);
  const { job, events, stack } = await run(
    () => undefined,
    async (job, path) => {
      await waitFor(() => job().acknowledged >= 192 * 1024, 10_000, 'part of the file');
      await writeFile(path, fresh);
    },
  );
  expect(job.status).toBe('completed');
  expect(await landedHash(stack.dir, 'again.bin')).toBe(sha256(fresh));
  expectRestartedStream(events, fresh.length);
});
