import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { landedHash, makeFile, queueFiles, sleep, stackPerTest, tempDir, testPool, waitFor } from './harness';
import { isCreation } from './scripted-front';

// RELIABILITY case 6: a black-hole connection (no FIN, no data). The stall detector fires, the
// request is aborted, and once traffic passes again the client HEADs and finishes. The receiver's
// own idle timeout ends the orphaned PATCH, which frees its lock.

const stallTimeoutMs = 1_000;
const stacks = stackPerTest();

it('detects the stall, shows it, and finishes after the network passes traffic again', async () => {
  const stack = await stacks.start({ idleTimeoutMs: 800 });
  const src = await tempDir('src');
  const file = await makeFile(src, 'hole.bin', 1024 * 1024);
  const { queue, samples } = await queueFiles([file.path], stack.endpoint);
  // Mid-body: the connection carrying byte 300 000 swallows everything from there on.
  stack.proxy.arm({ kind: 'black-hole', afterBytes: 300_000 });
  const pool = testPool(queue, { chunkSize: 128 * 1024, stallTimeoutMs });
  pool.start();
  const done = pool.whenIdle();

  await waitFor(() => stack.proxy.stats.blackHoles === 1, 5_000, 'the black hole');
  const holeAt = performance.now();
  // The outage goes on: every connection, old or new, is swallowed for a while.
  stack.proxy.setMode({ kind: 'black-hole' }, { live: true });
  await sleep(2_500);
  const restoredAt = performance.now();
  stack.proxy.setMode({ kind: 'pass' });
  await done;
  const [job] = queue.list();
  await pool.close();

  expect(job!.status).toBe('completed');
  expect(await landedHash(stack.dir, 'hole.bin')).toBe(file.hash);

  // Stalled was visible, distinct from failed, and came about one stall timeout after the hole.
  const stalled = samples.find((s) => s.phase === 'stalled');
  expect(stalled?.errorCode).toBe('STALLED');
  expect(stalled!.at - holeAt).toBeGreaterThan(stallTimeoutMs * 0.8);
  expect(stalled!.at - holeAt).toBeLessThan(stallTimeoutMs * 3);
  expect(samples.some((s) => s.status === 'failed')).toBe(false);
  // While nothing passes, the job must not claim to be uploading: a resume HEAD lost in the same
  // hole is still a stall.
  const duringOutage = samples.filter((s) => s.at > stalled!.at && s.at < restoredAt);
  expect(duringOutage.map((s) => s.phase).filter((phase) => phase !== 'stalled')).toEqual([]);
  expect(job!.error).toBeUndefined();

  // The receiver ended the orphaned PATCH by its idle timeout, before traffic came back.
  const orphan = stack.front.log.find((e) => e.method === 'PATCH' && e.upstreamError !== undefined);
  expect(orphan).toBeDefined();
  expect(orphan!.endedAt!).toBeLessThan(restoredAt);

  // Resumed with HEAD after the outage, from what the server had, and without a lock conflict.
  const head = stack.front.log.find((e) => e.method === 'HEAD' && e.at > restoredAt - 100 && e.status === 200);
  expect(head?.replyOffset).toBeGreaterThan(0);
  expect(stack.front.log.filter((e) => e.status === 409 || e.status === 423)).toHaveLength(0);
  expect(stack.front.log.filter(isCreation)).toHaveLength(1);
});
