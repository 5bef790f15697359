// Ferry's sender driven the way the app and `npm run send` drive it: a queue,
// a pool, wait until idle. Runs inside a sender child.
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import {
  createJsonFilePersistence,
  createMemoryPersistence,
  createTusClient,
  createUploadPool,
  createUploadQueue,
  type UploadQueue,
} from '../../src/engine/sender';
import type { QueueFigures, SenderVariant } from './sender-protocol';

export interface FerrySend {
  variant: SenderVariant;
  endpoint: string;
  headers: Record<string, string>;
  concurrency: number;
}

const offlineCheckMs = 500;

export async function sendWithFerry(task: FerrySend, paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  const queue = createUploadQueue(createMemoryPersistence());
  const added = await queue.add(paths, { endpoint: task.endpoint, headers: task.headers }, { allowDuplicates: true });
  if (added.skipped.length > 0)
    throw new Error(`Ferry skipped ${added.skipped.length} file(s): ${added.skipped[0]!.reason}`);
  const pool = createUploadPool(queue, createTusClient(), {
    concurrency: task.concurrency,
    chunkSize: task.variant.chunkSize ?? 8 * 2 ** 20,
    parallel: task.variant.parallel,
    checksum: task.variant.checksum,
    stallTimeoutMs: 30_000,
  });
  pool.start();
  try {
    await Promise.race([pool.whenIdle(), failWhenOffline(queue)]);
  } finally {
    await pool.close();
  }
  const unfinished = queue.list().filter((job) => job.status !== 'completed');
  if (unfinished.length > 0) {
    const first = unfinished[0]!;
    const why = first.error ? `${first.error.code}: ${first.error.message}` : (first.phase ?? 'no reason');
    throw new Error(`${unfinished.length} of ${paths.length} Ferry job(s) ended ${first.status} (${why})`);
  }
}

/**
 * An unreachable target parks jobs as queued and the pool never goes idle;
 * in a benchmark that must be a failure, not a hang.
 */
function failWhenOffline(queue: UploadQueue): Promise<never> {
  return new Promise((_, reject) => {
    const timer = setInterval(() => {
      const parked = queue.list().find((job) => job.phase === 'offline');
      if (!parked) return;
      clearInterval(timer);
      reject(new Error(`Ferry went offline: ${parked.error?.message ?? 'the target did not answer'}`));
    }, offlineCheckMs);
    timer.unref();
  });
}

/**
 * Adds a folder of many files to a queue persisted as JSON, as a headless
 * `npm run send` would, then restores it into a second queue. The first queue
 * is returned so the caller can measure RSS while it is still held.
 */
export async function holdQueue(
  endpoint: string,
  headers: Record<string, string>,
  dir: string,
  statePath: string,
): Promise<{
  held: UploadQueue;
  figures: Omit<QueueFigures, 'restoreMs' | 'restoredJobs'>;
  restore: () => Promise<Pick<QueueFigures, 'restoreMs' | 'restoredJobs'>>;
}> {
  const persistence = createJsonFilePersistence(statePath);
  const held = createUploadQueue(persistence);
  const start = performance.now();
  const added = await held.add([dir], { endpoint, headers }, { allowDuplicates: true });
  await held.flush();
  const addMs = performance.now() - start;
  if (added.skipped.length > 0)
    throw new Error(`queue skipped ${added.skipped.length} path(s): ${added.skipped[0]!.reason}`);
  const stateBytes = (await stat(statePath)).size;
  return {
    held,
    figures: { jobs: held.list().length, addMs, stateBytes },
    async restore() {
      const again = createUploadQueue(persistence);
      const begin = performance.now();
      await again.restore();
      return { restoreMs: performance.now() - begin, restoredJobs: again.list().length };
    },
  };
}
