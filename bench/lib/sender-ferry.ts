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
  type QueueChanges,
  type QueuePersistence,
  type UploadPool,
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
  await runToCompletion(queue, pool);
}

/** Runs the pool until idle and closes it; any job that did not complete fails the run. */
export async function runToCompletion(queue: UploadQueue, pool: UploadPool): Promise<void> {
  pool.start();
  try {
    await Promise.race([pool.whenIdle(), failWhenOffline(queue)]);
  } finally {
    await pool.close();
  }
  const jobs = queue.list();
  const unfinished = jobs.filter((job) => job.status !== 'completed');
  if (unfinished.length > 0) {
    const first = unfinished[0]!;
    const why = first.error ? `${first.error.code}: ${first.error.message}` : (first.phase ?? 'no reason');
    throw new Error(`${unfinished.length} of ${jobs.length} Ferry job(s) ended ${first.status} (${why})`);
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

type PersistedQueue = Parameters<QueuePersistence['save']>[0];

/** The port, with the time spent inside it added up: what persisting the queue costs. */
function timedPersistence(port: QueuePersistence): QueuePersistence & { ms: number } {
  const timed = {
    ms: 0,
    load: () => port.load(),
    save: (state: PersistedQueue) => timed.time(() => port.save(state)),
    ...(port.saveChanges
      ? {
          saveChanges: (changes: QueueChanges, current: () => PersistedQueue) =>
            timed.time(() => port.saveChanges!(changes, current)),
        }
      : {}),
    async time(work: () => Promise<void>) {
      const start = performance.now();
      try {
        await work();
      } finally {
        timed.ms += performance.now() - start;
      }
    },
  };
  return timed;
}

/**
 * Adds a folder of many files to a queue persisted as JSON, as a headless `npm run send` would, and
 * waits until it is stored. The queue is returned so the caller can measure RSS while it is held.
 */
export async function holdQueue(
  endpoint: string,
  headers: Record<string, string>,
  dir: string,
  statePath: string,
): Promise<{ held: UploadQueue; figures: QueueFigures }> {
  const persistence = timedPersistence(createJsonFilePersistence(statePath));
  const held = createUploadQueue(persistence);
  const start = performance.now();
  const added = await held.add([dir], { endpoint, headers }, { allowDuplicates: true });
  await held.flush();
  const totalMs = performance.now() - start;
  if (added.skipped.length > 0)
    throw new Error(`queue skipped ${added.skipped.length} path(s): ${added.skipped[0]!.reason}`);
  // Saves ran while the folder was read too: part of the queue may be in the journal beside the snapshot.
  const journal = await stat(`${statePath}.journal`).catch(() => ({ size: 0 }));
  const stateBytes = (await stat(statePath)).size + journal.size;
  return {
    held,
    figures: { jobs: held.list().length, addMs: totalMs - persistence.ms, persistMs: persistence.ms, stateBytes },
  };
}

/** The queue a 'queue' task stored, restored by a process of its own (the next `npm run send`). */
export async function restoreQueue(statePath: string): Promise<UploadQueue> {
  const queue = createUploadQueue(createJsonFilePersistence(statePath));
  await queue.restore();
  return queue;
}
