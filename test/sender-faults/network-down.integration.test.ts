import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { landedHash, makeFile, queueFiles, sleep, stackPerTest, tempDir, testPool, waitFor } from './harness';
import { isCreation } from './scripted-front';

// RELIABILITY case 12: the network goes down and comes back. The queue pauses (offline or stalled),
// nothing fails, and it resumes by itself once the target answers again.

const stacks = stackPerTest();

/** Two files through a slightly slow link, both at least 128 KiB in when this returns; `done` is the pool's whenIdle(). */
async function twoFilesUnderWay() {
  const stack = await stacks.start();
  stack.proxy.setShaping({ latencyMs: 3 });
  const src = await tempDir('src');
  const files = [await makeFile(src, 'one.bin', 1024 * 1024), await makeFile(src, 'two.bin', 1024 * 1024 + 3)];
  const { queue, samples } = await queueFiles(
    files.map((f) => f.path),
    stack.endpoint,
  );
  const pool = testPool(queue, { concurrency: 2, chunkSize: 64 * 1024 });
  pool.start();
  const done = pool.whenIdle();
  const jobs = queue.list();
  await waitFor(() => jobs.every((job) => job.acknowledged >= 128 * 1024), 10_000, 'both files under way');
  return { stack, files, samples, pool, done, jobs };
}

it('goes offline when the target refuses connections, and resumes on its own', async () => {
  const { stack, files, samples, pool, done, jobs } = await twoFilesUnderWay();

  await stack.proxy.stopListening();
  // The queue pauses: both jobs wait as offline, none runs, none fails.
  await waitFor(
    () => jobs.every((job) => job.status === 'queued' && job.phase === 'offline') && pool.activeCount() === 0,
    5_000,
    'the queue to pause',
  );
  await sleep(1_500);
  expect(jobs.every((job) => job.status === 'queued' && job.phase === 'offline')).toBe(true);
  const backAt = performance.now();
  await stack.proxy.resumeListening();
  await done;
  const finishedAt = performance.now();
  await pool.close();

  for (const [i, name] of ['one.bin', 'two.bin'].entries()) {
    expect(jobs[i]!.status).toBe('completed');
    expect(await landedHash(stack.dir, name)).toBe(files[i]!.hash);
  }
  expect(samples.some((s) => s.status === 'failed')).toBe(false);
  // Resumed from where the server stood, not from zero.
  expect(stack.front.log.filter(isCreation)).toHaveLength(2);
  const resumed = stack.front.log.filter((e) => e.method === 'HEAD' && e.at > backAt);
  expect(resumed.every((e) => (e.replyOffset ?? 0) >= 128 * 1024)).toBe(true);
  expect(resumed.length).toBeGreaterThanOrEqual(2);
  // Probing every 200 ms: back to work promptly.
  expect(finishedAt - backAt).toBeLessThan(5_000);
});

it('rides out a few seconds of silence (every packet dropped) without failing', async () => {
  const { stack, files, samples, pool, done, jobs } = await twoFilesUnderWay();

  stack.proxy.setMode({ kind: 'black-hole' }, { live: true });
  await waitFor(() => jobs.every((job) => job.phase === 'stalled'), 5_000, 'both jobs to show the stall');
  await sleep(2_000);
  expect(jobs.every((job) => job.status === 'running' && job.phase === 'stalled')).toBe(true);
  stack.proxy.setMode({ kind: 'pass' });
  await done;
  await pool.close();

  for (const [i, name] of ['one.bin', 'two.bin'].entries()) {
    expect(jobs[i]!.status).toBe('completed');
    expect(await landedHash(stack.dir, name)).toBe(files[i]!.hash);
  }
  expect(samples.some((s) => s.status === 'failed')).toBe(false);
  expect(stack.front.log.filter(isCreation)).toHaveLength(2);
});
