import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryPersistence } from '../../engine/sender/queue-persistence';
import { createUploadQueue } from '../../engine/sender/upload-queue';
import type { UploadJob } from '../../shared/upload-job';
import { createJobViewer } from './job-view';
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
  files: 10_004,
  completed: 0,
  failed: 0,
  size: 1e10,
  acknowledged: 0,
  bytesPerSecond: 0,
  etaSeconds: null,
};

async function setup(count: number, running: number) {
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
    pool: { overall: () => overall, activeCount: () => runningIds.length },
    push: (message) => pushes.push({ at: Date.now(), message, bytes: JSON.stringify(message).length }),
    toView: createJobViewer({ hub: { get: () => undefined }, embeddedEndpoint: () => endpoint }),
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
      // Many progress patches between two ticks, and `sent` moved in place as the runner does.
      for (const id of runningIds) {
        for (let patch = 0; patch < 20; patch++) queue.update(id, { acknowledged: step * 1000 + patch });
        queue.get(id)!.sent = step * 1000 + 500;
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

  it('a running job whose bytes moved in place is pushed without a queue update', async () => {
    const { queue, batcher, pushes, runningIds } = await setup(10, 1);
    vi.advanceTimersByTime(100);
    queue.get(runningIds[0]!)!.sent = 777;
    vi.advanceTimersByTime(100);
    expect(pushes.at(-1)!.message.jobs).toEqual([expect.objectContaining({ id: runningIds[0], sent: 777 })]);
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
