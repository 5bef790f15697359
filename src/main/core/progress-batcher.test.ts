import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeUploadPool } from '../../../test/support/upload-pool-test-kit';
import { createProgressHub } from '../../engine/progress';
import { createMemoryPersistence } from '../../engine/sender/queue-persistence';
import { createUploadQueue } from '../../engine/sender/upload-queue';
import { createTusClient } from '../../engine/sender/tus-client';
import { createUploadPool } from '../../engine/sender/upload-pool';
import type { UploadJob } from '../../shared/upload-job';
import { createJobViewer } from './job-view';
import { createProgressBatcher, type UploadsChanged, type UploadsPush } from './progress-batcher';
import { createWindowJobs } from './window-jobs';

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

/** `windowHas`: the window loaded the queue's jobs (else they are new to it once named). */
async function setup(count: number, running: number, options: { maxJobsPerPush?: number; windowHas?: boolean } = {}) {
  const { windowHas = true, ...tuning } = options;
  const jobs = [
    ...Array.from({ length: count }, (_, index) => job(index)),
    ...Array.from({ length: running }, (_, index) => job(count + index)),
  ];
  const queue = createUploadQueue(createMemoryPersistence({ version: 1, jobs }), { saveDelayMs: 60_000 });
  await queue.restore();
  const runningIds = jobs.slice(count).map((entry) => entry.id);
  const pool = fakeUploadPool(queue, { running: () => runningIds });
  const { hub } = pool;
  const toView = vi.fn(createJobViewer({ hub, embeddedEndpoint: () => endpoint }));
  const window = createWindowJobs(toView);
  if (windowHas) window.snapshot(queue.list());
  const pushes: { at: number; message: UploadsPush; bytes: number }[] = [];
  const batches: { at: number; change: UploadsChanged; pushes: number }[] = [];
  const batcher = createProgressBatcher({
    queue,
    pool,
    hub,
    window,
    push: (message) => pushes.push({ at: Date.now(), message, bytes: JSON.stringify(message).length }),
    onBatch: (change) => batches.push({ at: Date.now(), change, pushes: pushes.length }),
    intervalMs: 100,
    ...tuning,
  });
  for (const id of runningIds) queue.update(id, { status: 'running', phase: 'uploading' });
  return { queue, batcher, pushes, batches, runningIds, hub, toView };
}

const told = (push: UploadsPush) => [...push.jobs.map((view) => view.id), ...(push.patches ?? []).map((p) => p.id)];

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('progress batcher', () => {
  it('10,000 queued and 4 running: each push carries only the running jobs, small, at most one per interval', async () => {
    const { queue, batcher, pushes, batches, runningIds } = await setup(10_000, 4, { maxJobsPerPush: 20_000 });
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
    for (const push of pushes.slice(1)) {
      expect(told(push.message).length).toBeLessThanOrEqual(4);
      expect(push.bytes).toBeLessThan(1024);
    }
    const times = pushes.map((push) => push.at);
    for (let index = 1; index < times.length; index++)
      expect(times[index]! - times[index - 1]!).toBeGreaterThanOrEqual(100);
    expect(pushes.at(-1)!.message.patches).toEqual(
      runningIds.map((id) => ({ id, acknowledged: 50_019, sent: 50_500 })),
    );
    expect(batches.at(-1)!.change.jobs.map((view) => view.acknowledged)).toEqual([50_019, 50_019, 50_019, 50_019]);
    expect(pushes.at(-1)!.message.overall).toMatchObject({ files: 10_004, active: 4 });
    batcher.stop();
  });

  it('pushes nothing when nothing changed, even while jobs run, and looks at no job', async () => {
    const { batcher, pushes, toView } = await setup(100, 50);
    vi.advanceTimersByTime(1_000);
    const count = pushes.length;
    toView.mockClear();
    vi.advanceTimersByTime(5_000);
    expect(pushes).toHaveLength(count);
    expect(toView).not.toHaveBeenCalled();
    batcher.stop();
  });

  it('a running job whose speed moved in the hub is pushed once, and only that job is looked at', async () => {
    const { batcher, pushes, runningIds, hub, toView } = await setup(10, 1_000);
    vi.advanceTimersByTime(1_000);
    toView.mockClear();
    hub.emit(runningIds[7]!, 250);
    vi.advanceTimersByTime(100);
    expect(pushes.at(-1)!.message).toMatchObject({
      jobs: [],
      patches: [{ id: runningIds[7], bytesPerSecond: 250, etaSeconds: 5 }],
    });
    expect(toView).toHaveBeenCalledTimes(1);
    const count = pushes.length;
    hub.emit(runningIds[7]!, 250);
    vi.advanceTimersByTime(500);
    expect(pushes).toHaveLength(count);
    batcher.stop();
  });

  it('tells a job the window has by its changed fields, and the optional ones it lost', async () => {
    const { queue, batcher, pushes, batches } = await setup(3, 0, { windowHas: false });
    await queue.restore();
    batcher.flush();
    expect(pushes[0]!.message.jobs.map((view) => view.id)).toEqual(['job-0', 'job-1', 'job-2']);
    expect(pushes[0]!.message.patches).toBeUndefined();
    queue.update('job-1', { status: 'queued', phase: 'retrying', error: { code: 'E', message: 'no' }, attempts: 1 });
    batcher.flush();
    expect(pushes[1]!.message).toMatchObject({
      jobs: [],
      patches: [{ id: 'job-1', phase: 'retrying', error: { code: 'E', message: 'no' }, attempts: 1 }],
    });
    queue.update('job-1', { status: 'running', phase: undefined, error: undefined });
    batcher.flush();
    expect(pushes[2]!.message.patches).toEqual([{ id: 'job-1', status: 'running', cleared: ['phase', 'error'] }]);
    expect(batches[2]!.change.jobs).toEqual([
      expect.objectContaining({ id: 'job-1', name: 'file-1.bin', status: 'running' }),
    ]);
    batcher.stop();
  });

  it('reports removed jobs, changed jobs once, and looks at everything after a restore', async () => {
    const { queue, batcher, pushes } = await setup(10, 0);
    queue.update('job-1', { status: 'paused' });
    queue.update('job-1', { attempts: 1 });
    queue.remove('job-2');
    vi.advanceTimersByTime(100);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.message.patches).toEqual([{ id: 'job-1', status: 'paused', attempts: 1 }]);
    expect(pushes[0]!.message.removed).toEqual(['job-2']);
    await queue.restore();
    vi.advanceTimersByTime(100);
    // The restore brought back the stored state: job-1 as stored, job-2 again, as a new job.
    expect(pushes[1]!.message.jobs.map((view) => view.id)).toEqual(['job-2']);
    expect(pushes[1]!.message.patches).toEqual([{ id: 'job-1', status: 'queued', attempts: 0 }]);
    batcher.stop();
    queue.update('job-3', { status: 'paused' });
    vi.advanceTimersByTime(1_000);
    expect(pushes).toHaveLength(2);
  });

  it('splits a large batch into pushes of at most maxJobsPerPush, one per turn, all before the next tick', async () => {
    const { queue, batcher, pushes } = await setup(1_000, 0, { maxJobsPerPush: 128, windowHas: false });
    await queue.restore();
    vi.advanceTimersByTime(100);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.message.jobs).toHaveLength(128);
    // The rest goes on later turns of the loop, not in this one.
    const tick = Date.now();
    vi.advanceTimersToNextTimer();
    expect(pushes).toHaveLength(2);
    vi.advanceTimersByTime(50);
    expect(pushes).toHaveLength(8);
    for (const push of pushes) expect(push.at - tick).toBeLessThan(10);
    expect(pushes.map((push) => push.message.jobs.length)).toEqual([128, 128, 128, 128, 128, 128, 128, 104]);
    expect(new Set(pushes.flatMap((push) => told(push.message))).size).toBe(1_000);
    for (const id of ['job-5', 'job-999']) queue.update(id, { status: 'paused' });
    vi.advanceTimersByTime(50);
    expect(pushes).toHaveLength(9);
    expect(told(pushes[8]!.message)).toEqual(['job-5', 'job-999']);
    batcher.stop();
  });

  it('hands a split batch to onBatch once, whole, after its last push', async () => {
    const { queue, batcher, pushes, batches } = await setup(300, 0, { maxJobsPerPush: 128, windowHas: false });
    await queue.restore();
    queue.remove('job-299');
    vi.advanceTimersByTime(100);
    expect(pushes).toHaveLength(1);
    expect(batches).toHaveLength(0);
    vi.advanceTimersByTime(10);
    expect(pushes).toHaveLength(3);
    expect(batches).toEqual([expect.objectContaining({ pushes: 3 })]);
    expect(batches[0]!.change.jobs.map((view) => view.id)).toEqual(
      Array.from({ length: 299 }, (_, index) => `job-${index}`),
    );
    queue.update('job-3', { status: 'paused' });
    vi.advanceTimersByTime(100);
    expect(batches.map((batch) => batch.change.jobs.length)).toEqual([299, 1]);
    batcher.stop();
  });

  it('flush sends everything at once, split as a tick would', async () => {
    const { queue, batcher, pushes } = await setup(300, 0, { maxJobsPerPush: 128, windowHas: false });
    await queue.restore();
    batcher.flush();
    expect(pushes.map((push) => push.message.jobs.length)).toEqual([128, 128, 44]);
    queue.update('job-0', { status: 'paused' });
    batcher.flush();
    expect(pushes).toHaveLength(4);
    batcher.flush();
    expect(pushes).toHaveLength(4);
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
    const pool = createUploadPool(queue, createTusClient(), { hub: createProgressHub() });
    const listAll = queue.list;
    // The first call counts once; from then on the totals follow the queue's changes.
    pool.overall();
    const list = vi.spyOn(queue, 'list');
    const pushes: UploadsPush[] = [];
    const window = createWindowJobs(createJobViewer({ hub: pool.hub, embeddedEndpoint: () => endpoint }));
    window.snapshot(listAll());
    const batcher = createProgressBatcher({
      queue,
      pool,
      hub: pool.hub,
      window,
      push: (message) => pushes.push(message),
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
    for (const push of pushes) expect(told(push).length + push.removed.length).toBeLessThanOrEqual(4);
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
