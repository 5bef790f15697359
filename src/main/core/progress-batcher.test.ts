import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryPersistence } from '../../engine/sender/queue-persistence';
import { createUploadQueue } from '../../engine/sender/upload-queue';
import { createTusClient } from '../../engine/sender/tus-client';
import { createUploadPool } from '../../engine/sender/upload-pool';
import type { UploadJob } from '../../shared/upload-job';
import type { ProgressEvent } from '../../shared/progress-event';
import { createJobViewer, type JobViewDeps } from './job-view';
import { createProgressBatcher, type UploadsChanged } from './progress-batcher';

const endpoint = 'http://127.0.0.1:41823/files/';
const job = (index: number, status: UploadJob['status'] = 'queued'): UploadJob => ({
  id: `job-${index}`,
  path: `/data/set/file-${index}.bin`,
  name: `file-${index}.bin`,
  size: 1_000_000,
  mtimeMs: 1,
  target: { endpoint },
  status,
  acknowledged: 0,
  sent: 0,
  attempts: 0,
  addedAt: 1,
});
const overall = {
  paused: 0,
  pending: 10_004,
  files: 10_004,
  completed: 0,
  failed: 0,
  size: 1e10,
  acknowledged: 0,
  bytesPerSecond: 0,
  etaSeconds: null,
};

async function setup(count: number, running: number, hub: JobViewDeps['hub'] = { get: () => undefined }) {
  const jobs = [
    ...Array.from({ length: count }, (_, index) => job(index)),
    ...Array.from({ length: running }, (_, index) => job(count + index)),
  ];
  const queue = createUploadQueue(createMemoryPersistence({ version: 1, jobs }), { saveDelayMs: 60_000 });
  await queue.restore();
  const runningIds = jobs.slice(count).map((entry) => entry.id);
  for (const id of runningIds) queue.update(id, { status: 'running', phase: 'uploading' });
  const pushes: { at: number; message: UploadsChanged; bytes: number }[] = [];
  const batcher = createProgressBatcher({
    queue,
    pool: { overall: () => overall, activeCount: () => runningIds.length, activeIds: () => runningIds },
    push: (message) => pushes.push({ at: Date.now(), message, bytes: JSON.stringify(message).length }),
    toView: createJobViewer({ hub, embeddedEndpoint: () => endpoint }),
    intervalMs: 100,
  });
  return { queue, batcher, pushes, runningIds };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('progress batcher', () => {
  it('10,000 queued and 4 running: each push carries only the running jobs, small, at most one per interval', async () => {
    const { queue, batcher, pushes, runningIds } = await setup(10_000, 4);
    vi.advanceTimersByTime(100);
    expect(pushes).toHaveLength(1);
    for (let step = 1; step <= 50; step++) {
      // Many progress patches between two ticks, bytes acknowledged and bytes sent.
      for (const id of runningIds) {
        for (let patch = 0; patch < 20; patch++) queue.update(id, { acknowledged: step * 1000 + patch });
        queue.update(id, { sent: step * 1000 + 500 });
      }
      vi.advanceTimersByTime(100);
    }
    expect(pushes).toHaveLength(51);
    for (const push of pushes) {
      expect(push.message.jobs.length).toBeLessThanOrEqual(4);
      expect(push.bytes).toBeLessThan(4 * 1024);
    }
    const times = pushes.map((push) => push.at);
    for (let index = 1; index < times.length; index++)
      expect(times[index]! - times[index - 1]!).toBeGreaterThanOrEqual(100);
    expect(pushes.at(-1)!.message.jobs.map((view) => view.acknowledged)).toEqual([50_019, 50_019, 50_019, 50_019]);
    expect(pushes.at(-1)!.message.overall).toMatchObject({ files: 10_004, active: 4 });
    batcher.stop();
  });

  it('pushes nothing when nothing changed, even while jobs run', async () => {
    const { batcher, pushes } = await setup(100, 2);
    vi.advanceTimersByTime(100);
    expect(pushes).toHaveLength(1);
    vi.advanceTimersByTime(5_000);
    expect(pushes).toHaveLength(1);
    batcher.stop();
  });

  it("an active job whose view moved without a queue change (the hub's speed) is pushed, once", async () => {
    let bytesPerSecond = 100;
    const hub = { get: () => ({ bytesPerSecond, etaSeconds: 5 }) as ProgressEvent };
    const { batcher, pushes, runningIds } = await setup(10, 1, hub);
    vi.advanceTimersByTime(100);
    bytesPerSecond = 250;
    vi.advanceTimersByTime(100);
    expect(pushes.at(-1)!.message.jobs).toEqual([expect.objectContaining({ id: runningIds[0], bytesPerSecond: 250 })]);
    const count = pushes.length;
    vi.advanceTimersByTime(500);
    expect(pushes).toHaveLength(count);
    batcher.stop();
  });

  it('reports removed jobs, changed jobs once, and everything after a restore', async () => {
    const { queue, batcher, pushes } = await setup(10, 0);
    queue.update('job-1', { status: 'paused' });
    queue.update('job-1', { attempts: 1 });
    queue.remove('job-2');
    vi.advanceTimersByTime(100);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.message.jobs.map((view) => view.id)).toEqual(['job-1']);
    expect(pushes[0]!.message.removed).toEqual(['job-2']);
    await queue.restore();
    vi.advanceTimersByTime(100);
    expect(pushes[1]!.message.jobs).toHaveLength(10);
    batcher.stop();
    queue.update('job-3', { status: 'paused' });
    vi.advanceTimersByTime(1_000);
    expect(pushes).toHaveLength(2);
  });

  it('flush sends at once', async () => {
    const { queue, batcher, pushes } = await setup(3, 0);
    queue.update('job-0', { status: 'paused' });
    batcher.flush();
    expect(pushes).toHaveLength(1);
    batcher.flush();
    expect(pushes).toHaveLength(1);
    batcher.stop();
  });
});

describe('progress batcher over a real pool, 100,000 jobs', () => {
  it("a tick walks neither the queue nor the pool's totals over it, and the totals stay exact", async () => {
    const jobs = Array.from({ length: 100_000 }, (_, index) => job(index));
    const queue = createUploadQueue(createMemoryPersistence({ version: 1, jobs }), {
      saveDelayMs: 60_000,
      progressSaveMs: 60_000,
    });
    await queue.restore();
    const pool = createUploadPool(queue, createTusClient());
    const listAll = queue.list;
    // The first call counts once; from then on the totals follow the queue's changes.
    pool.overall();
    const list = vi.spyOn(queue, 'list');
    const pushes: UploadsChanged[] = [];
    const batcher = createProgressBatcher({
      queue,
      pool,
      push: (message) => pushes.push(message),
      toView: createJobViewer({ hub: pool.hub, embeddedEndpoint: () => endpoint }),
      intervalMs: 100,
    });
    const running = ['job-10', 'job-50000', 'job-99999'];
    for (const id of running) queue.update(id, { status: 'running', phase: 'uploading' });
    for (let step = 1; step <= 30; step++) {
      for (const id of running) queue.update(id, { acknowledged: step * 10_000, sent: step * 10_000 + 5_000 });
      if (step === 10) queue.update('job-10', { status: 'completed', acknowledged: 1_000_000, sent: 1_000_000 });
      if (step === 20) queue.update('job-77', { status: 'failed', error: { code: 'HTTP_403', message: 'no' } });
      if (step === 25) queue.remove('job-123');
      vi.advanceTimersByTime(100);
    }
    expect(list).not.toHaveBeenCalled();
    expect(pushes).toHaveLength(30);
    for (const push of pushes) expect(push.jobs.length).toBeLessThanOrEqual(4);
    const brute = { files: 0, completed: 0, failed: 0, size: 0, acknowledged: 0 };
    for (const entry of listAll()) {
      brute.files += 1;
      brute.size += entry.size;
      brute.acknowledged += entry.acknowledged;
      if (entry.status === 'completed') brute.completed += 1;
      if (entry.status === 'failed') brute.failed += 1;
    }
    expect(brute).toMatchObject({ files: 99_999, completed: 1, failed: 1 });
    expect(pushes.at(-1)!.overall).toMatchObject(brute);
    batcher.stop();
    await pool.close();
  });
});
