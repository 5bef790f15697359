import { expect, it } from 'vitest';
import type { ProgressEvent } from '../../src/shared/progress-event';
import { appendedBytes, landedHash, makeFile, queueFiles, runToIdle, stackPerTest, tempDir } from './harness';
import { isCreation } from './scripted-front';

// RELIABILITY case 7: latency and tiny packet slices, both ways. No duplicate appends, no 409
// loops, and progress (bytes the server acknowledged) only goes up.

const stacks = stackPerTest();

it('uploads three files through a slow, finely sliced link without a single 409', async () => {
  const stack = await stacks.start();
  stack.proxy.setShaping({ latencyMs: 3, sliceBytes: 677 });
  const src = await tempDir('src');
  const files = [
    await makeFile(src, 'a.bin', 384 * 1024 + 1),
    await makeFile(src, 'b.bin', 300 * 1024),
    await makeFile(src, 'c.bin', 200 * 1024 + 77),
  ];
  const { queue, samples } = await queueFiles(
    files.map((f) => f.path),
    stack.endpoint,
  );
  const events: ProgressEvent[] = [];
  const jobs = await runToIdle(queue, { concurrency: 3, chunkSize: 64 * 1024 }, (pool) =>
    pool.hub.subscribe((event) => events.push(event)),
  );

  for (const [i, file] of files.entries()) {
    const name = ['a.bin', 'b.bin', 'c.bin'][i]!;
    expect(jobs[i]!.status).toBe('completed');
    expect(await landedHash(stack.dir, name)).toBe(file.hash);
    // Every byte appended exactly once, in order, each PATCH starting where the last one ended.
    expect(appendedBytes(stack.front, name)).toBe(file.size);
    const patches = stack.front.log.filter((e) => e.file === name && e.method === 'PATCH');
    let expected = 0;
    for (const patch of patches) {
      expect(patch.offset).toBe(expected);
      expected = patch.replyOffset!;
    }
    // No request beyond what the chunks need: to Ferry's receiver one may carry more than a chunk
    // (up to a quarter of the file, see stream-range.ts), never a byte twice.
    expect(patches.length).toBeLessThanOrEqual(Math.ceil(file.size / (64 * 1024)));
    expect(patches.reduce((sum, patch) => sum + patch.bodyBytes, 0)).toBe(file.size);
  }
  expect(stack.front.log.filter((e) => e.status === 409)).toHaveLength(0);
  expect(stack.front.log.filter(isCreation)).toHaveLength(3);
  expect(samples.some((s) => s.phase === 'stalled' || s.phase === 'retrying')).toBe(false);

  // Progress, as a UI sees it through the queue and through hub events, never goes back.
  for (const job of jobs) {
    const acked = samples.filter((s) => s.id === job.id).map((s) => s.acknowledged);
    expect(acked.every((value, i) => i === 0 || value >= acked[i - 1]!)).toBe(true);
    expect(Math.max(...acked)).toBe(job.size);
    const offsets = events.filter((e) => e.uploadId === job.id).map((e) => e.offset);
    expect(offsets.every((value, i) => i === 0 || value >= offsets[i - 1]!)).toBe(true);
    expect(offsets.every((value) => value <= job.size)).toBe(true);
    expect(events.filter((e) => e.uploadId === job.id).at(-1)?.status).toBe('completed');
  }
  expect(stack.proxy.stats.downstreamBytes).toBeGreaterThan(0);
});
