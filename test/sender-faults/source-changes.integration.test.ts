import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import type { UploadPool } from '../../src/engine/sender';
import {
  auth,
  landedFiles,
  landedHash,
  makeFile,
  memoryQueue,
  sha256,
  sleep,
  stackPerTest,
  tempDir,
  testPool,
  waitFor,
} from './harness';
import { isCreation } from './scripted-front';

// RELIABILITY case 11: the source changes while it is being sent. The change is detected and the
// upload never silently "completes" with mixed content: a single change is sent again as a new
// upload of the new content; a file that keeps changing fails with a clear code.

const stacks = stackPerTest();

/** A hot restart loop must fail the test, not hang it. */
async function idleWithin(pool: UploadPool, ms: number): Promise<boolean> {
  return Promise.race([pool.whenIdle().then(() => true), sleep(ms).then(() => false)]);
}

it.each([
  { label: 'in place, same size', newSize: 1024 * 1024, byRename: false },
  { label: 'in place, shorter', newSize: 700 * 1024 + 5, byRename: false },
  { label: 'in place, longer', newSize: 1300 * 1024, byRename: false },
  // Editors save to a temp file and rename it over: the open handle keeps the old inode.
  { label: 'by rename, same size', newSize: 1024 * 1024, byRename: true },
])('a rewrite mid-upload ($label) ends in the new content or a clear failure', async ({ newSize, byRename }) => {
  const stack = await stacks.start();
  stack.proxy.setShaping({ latencyMs: 5 });
  const src = await tempDir('src');
  const file = await makeFile(src, 'moving.bin', 1024 * 1024);
  const queue = await memoryQueue();
  await queue.add([file.path], { endpoint: stack.endpoint, headers: auth });
  const pool = testPool(queue, { chunkSize: 64 * 1024 });
  pool.start();
  const id = queue.list()[0]!.id;
  const job = () => queue.get(id);
  await waitFor(() => job()!.acknowledged >= 256 * 1024, 10_000, 'a quarter of the file');
  const fresh = randomBytes(newSize);
  if (byRename) {
    await writeFile(`${file.path}.new`, fresh);
    await rename(`${file.path}.new`, file.path);
  } else await writeFile(file.path, fresh);
  const settled = await idleWithin(pool, 15_000);
  await pool.close();

  expect(settled).toBe(true);
  // One change: the pool starts a new upload of what is on disk now, and that is what lands.
  expect(job()!.status).toBe('completed');
  expect(job()!.size).toBe(newSize);
  expect(await landedHash(stack.dir, 'moving.bin')).toBe(sha256(fresh));
  // No restart loop. An in-place rewrite is two changes (truncate, then write), so allow two.
  expect(stack.front.log.filter(isCreation).length).toBeLessThanOrEqual(3);
  expect(await landedFiles(stack.dir)).toEqual(['moving.bin']);
});

it('a file that keeps changing fails clearly instead of looping', async () => {
  const stack = await stacks.start();
  stack.proxy.setShaping({ latencyMs: 5 });
  const src = await tempDir('src');
  const file = await makeFile(src, 'restless.bin', 1024 * 1024);
  const queue = await memoryQueue();
  await queue.add([file.path], { endpoint: stack.endpoint, headers: auth });
  const pool = testPool(queue, { chunkSize: 64 * 1024 });
  pool.start();
  const id = queue.list()[0]!.id;
  const job = () => queue.get(id);
  let writing = true;
  const writer = (async () => {
    while (writing) {
      await sleep(60);
      await writeFile(file.path, randomBytes(1024 * 1024));
    }
  })();
  const settled = await idleWithin(pool, 20_000);
  writing = false;
  await writer;
  await pool.close();

  expect(settled).toBe(true);
  expect(job()!.status).toBe('failed');
  expect(job()!.error?.code).toBe('SOURCE_CHANGED');
  expect(stack.front.log.filter(isCreation).length).toBeLessThanOrEqual(6);
  expect(await landedFiles(stack.dir)).toEqual([]);
});
