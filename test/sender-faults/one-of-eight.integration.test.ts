import { expect, it } from 'vitest';
import {
  appendedBytes,
  auth,
  landedFiles,
  landedHash,
  makeFile,
  memoryQueue,
  stackPerTest,
  tempDir,
  testPool,
  waitFor,
  watchJobs,
} from './harness';
import { isCreation } from './scripted-front';

// RELIABILITY case 13: eight files; one stalls (only its connections are black-holed, through a
// proxy of its own) and one fails (403). The rest go on, concurrency never exceeds its cap, and
// each file is uploaded once.

const concurrency = 3;
const stacks = stackPerTest();

/** Most files with a request open at the front at one time. */
function peakFilesInFlight(entries: { file?: string; at: number; endedAt?: number }[]): number {
  const edges = entries.flatMap((e) => [
    { t: e.at, file: e.file!, d: 1 },
    { t: e.endedAt ?? Infinity, file: e.file!, d: -1 },
  ]);
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  const open = new Map<string, number>();
  let peak = 0;
  for (const edge of edges) {
    const n = (open.get(edge.file) ?? 0) + edge.d;
    if (n === 0) open.delete(edge.file);
    else open.set(edge.file, n);
    peak = Math.max(peak, open.size);
  }
  return peak;
}

it('one stalled and one failed file do not hold up the other six', async () => {
  const stack = await stacks.start();
  const stuckProxy = await stack.extraProxy();
  // Every connection of the stalled file goes silent after ~100 KB.
  stuckProxy.setMode({ kind: 'black-hole', afterBytes: 100_000 });
  stack.front.script({ method: 'POST', file: 'f6.bin', times: 1, status: 403 });
  const src = await tempDir('src');
  const files = [];
  for (let i = 1; i <= 8; i++) files.push(await makeFile(src, `f${i}.bin`, 320 * 1024 + i));
  const queue = await memoryQueue();
  const samples = watchJobs(queue);
  for (const file of files) {
    const endpoint = file.path.endsWith('f3.bin') ? `${stuckProxy.url}/files/` : stack.endpoint;
    await queue.add([file.path], { endpoint, headers: auth });
  }
  const pool = testPool(queue, { concurrency, chunkSize: 64 * 1024 });
  let peakActive = 0;
  const sampler = setInterval(() => (peakActive = Math.max(peakActive, pool.activeCount())), 2);
  pool.start();
  const done = pool.whenIdle();
  const jobs = queue.list();
  const byName = (name: string) => jobs.find((job) => job.name === name)!;

  // The other six finish (one of them failing) while f3 is still stuck.
  await waitFor(
    () =>
      jobs.filter((job) => job.name !== 'f3.bin').every((job) => job.status === 'completed' || job.status === 'failed'),
    20_000,
    'the other files',
  );
  expect(byName('f3.bin').status).toBe('running');
  await waitFor(
    () => samples.some((s) => s.id === byName('f3.bin').id && s.phase === 'stalled'),
    5_000,
    'f3 to show the stall',
  );
  expect(byName('f3.bin').acknowledged).toBeLessThan(byName('f3.bin').size);
  stuckProxy.setMode({ kind: 'pass' });
  await done;
  clearInterval(sampler);
  await pool.close();

  expect(peakActive).toBeLessThanOrEqual(concurrency);
  expect(peakActive).toBe(concurrency);
  expect(peakFilesInFlight(stack.front.log)).toBeLessThanOrEqual(concurrency);

  const failed = byName('f6.bin');
  expect(failed.status).toBe('failed');
  expect(failed.error?.code).toBe('HTTP_403');
  expect(stack.front.log.filter((e) => e.file === 'f6.bin')).toHaveLength(1);

  for (const file of files) {
    const name = file.path.slice(-6);
    if (name === 'f6.bin') continue;
    expect(byName(name).status).toBe('completed');
    expect(await landedHash(stack.dir, name)).toBe(file.hash);
    // Uploaded once: one creation, every byte appended once.
    expect(stack.front.log.filter((e) => isCreation(e) && e.file === name)).toHaveLength(1);
    expect(appendedBytes(stack.front, name)).toBe(file.size);
  }
  expect(await landedFiles(stack.dir)).toEqual(['f1.bin', 'f2.bin', 'f3.bin', 'f4.bin', 'f5.bin', 'f7.bin', 'f8.bin']);
  expect(stuckProxy.stats.blackHoles).toBeGreaterThan(0);
});
