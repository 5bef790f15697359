// What one queue save costs the app's main thread: electron-store writes
// synchronously (read and parse the old file twice, stringify, write, fsync, rename).
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Store from 'electron-store';
import { createMemoryPersistence, createUploadQueue } from '../../src/engine/sender';
import type { KeyValueStore } from '../../src/main/core/key-value-store';
import type { UploadJob } from '../../src/shared/upload-job';
import type { AppTask, StoreRow } from './app-protocol';
import { percentile } from './percentile';

const queueKey = 'uploadQueue';

/**
 * The app's queue store (src/main/electron/stores.ts) with its options; `cwd` stands in for
 * `app.getPath('userData')`. Outside Electron the bundle stubs the `electron` import, which
 * electron-store reads only to find userData and to serve renderers: the save path is the same.
 */
export function openQueueStore(dir: string): KeyValueStore & { path: string } {
  const store = new Store<Record<string, unknown>>({
    name: 'queue',
    cwd: dir,
    accessPropertiesByDotNotation: false,
    clearInvalidConfig: false,
  });
  return { path: store.path, get: (key) => store.get(key), set: (key, value) => store.set(key, value) };
}

/** Jobs as a drop of `dir` makes them, every other one already sent (URL, digest, finished). */
async function jobsOf(dir: string, count: number): Promise<UploadJob[]> {
  const queue = createUploadQueue(createMemoryPersistence());
  const target = {
    endpoint: 'http://127.0.0.1:41823/files/',
    headers: { authorization: `Bearer ${randomBytes(24).toString('base64url')}` },
  };
  const { added } = await queue.add([dir], target, { allowDuplicates: true });
  if (added.length < count) throw new Error(`the store needs ${count} jobs, the folder made ${added.length}`);
  return added.slice(0, count).map((job, i): UploadJob => {
    if (i % 2) return job;
    const uploadUrl = `${target.endpoint}${randomBytes(16).toString('hex')}`;
    return {
      ...job,
      status: 'completed',
      acknowledged: job.size,
      sent: job.size,
      uploadUrl,
      sha256: randomBytes(32).toString('hex'),
      finishedAt: Date.now(),
    };
  });
}

function medianOf(times: number, work: () => void): number {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    work();
    samples.push(performance.now() - start);
  }
  return percentile(samples, 50);
}

export async function timeSaves(task: Extract<AppTask, { mode: 'store' }>): Promise<StoreRow[]> {
  const all = await jobsOf(task.dir, Math.max(...task.jobCounts));
  const rows: StoreRow[] = [];
  for (const count of task.jobCounts) {
    const store = openQueueStore(join(task.stateDir, `store-${count}`));
    const state = { version: 1, jobs: all.slice(0, count) };
    // The first save creates the file; every later one reads it back first, as in the app.
    store.set(queueKey, state);
    const samples: number[] = [];
    for (let i = 0; i < task.saves; i++) {
      // One save per turn of the loop, as the queue's coalesced saves come.
      await nextTurn();
      const start = performance.now();
      store.set(queueKey, state);
      samples.push(performance.now() - start);
    }
    const text = readFileSync(store.path, 'utf8');
    const jsonMs = medianOf(5, () => {
      const old = JSON.parse(text) as Record<string, unknown>;
      JSON.parse(text);
      JSON.stringify({ ...old, [queueKey]: state }, undefined, '\t');
    });
    rows.push({
      jobs: count,
      bytes: statSync(store.path).size,
      medianMs: percentile(samples, 50),
      p95Ms: percentile(samples, 95),
      maxMs: Math.max(...samples),
      jsonMs,
    });
  }
  return rows;
}
