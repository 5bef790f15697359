import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeUploadPool } from '../../../test/support/upload-pool-test-kit';
import { createMemoryPersistence } from '../../engine/sender/queue-persistence';
import { createUploadQueue, type UploadQueue } from '../../engine/sender/upload-queue';
import { pushContract } from '../../shared/ipc/contract';
import { sharingOff, type SharingView } from '../../shared/ipc/sharing-view';
import type { UploadJob } from '../../shared/upload-job';
import { connectPushes } from './core-pushes';
import type { FerryCore } from './ferry-core';
import { createMemoryKeyValueStore } from './key-value-store';
import { createSettingsStore, type SettingsStore } from './settings-store';
import { createCoreWindowJobs } from './window-jobs';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const endpoint = 'http://127.0.0.1:4000/files/';
function fakeSharing(view: () => SharingView = () => sharingOff) {
  const listeners = new Set<() => void>();
  return {
    view: vi.fn(async () => view()),
    onChange: (listener: () => void) => (listeners.add(listener), () => void listeners.delete(listener)),
    emit: () => listeners.forEach((listener) => listener()),
  };
}

const job: UploadJob = {
  id: 'j',
  path: '/a/b.bin',
  name: 'b.bin',
  size: 10,
  mtimeMs: 1,
  target: { endpoint },
  status: 'queued',
  acknowledged: 0,
  sent: 0,
  attempts: 0,
  addedAt: 1,
  uploadUrl: `${endpoint}up1`,
};

/** The parts of a core the pushes read: a pool with nothing running, and a window that has heard of no job yet. */
function fakeCore(
  queue: UploadQueue,
  options: { sharing?: ReturnType<typeof fakeSharing>; settings?: SettingsStore } = {},
): FerryCore {
  const pool = fakeUploadPool(queue);
  return {
    queue,
    pool,
    settings: options.settings ?? createSettingsStore({ store: createMemoryKeyValueStore() }),
    sharing: options.sharing ?? fakeSharing(),
    windowJobs: createCoreWindowJobs({ hub: pool.hub, embeddedEndpoint: () => endpoint }),
  } as unknown as FerryCore;
}

describe('core pushes', () => {
  it("pushes batched job changes and settings changes in the contract's shapes", async () => {
    const queue = createUploadQueue(createMemoryPersistence({ version: 1, jobs: [job] }));
    await queue.restore();
    const settings = createSettingsStore({ store: createMemoryKeyValueStore() });
    const core = fakeCore(queue, { settings });
    const pushed: [string, unknown][] = [];
    const seen = vi.fn();
    const pushes = connectPushes(core, (channel, payload) => pushed.push([channel, payload]), {
      onUploadsChanged: seen,
    });
    queue.update('j', { status: 'paused' });
    vi.advanceTimersByTime(100);
    settings.update({ theme: 'dark' });
    expect(pushed.map(([channel]) => channel)).toEqual(['uploads:changed', 'settings:changed']);
    const [, change] = pushed[0]!;
    expect(pushContract['uploads:changed'].parse(change)).toMatchObject({
      jobs: [{ id: 'j', status: 'paused', receiverUploadId: 'up1' }],
      removed: [],
    });
    expect(pushContract['settings:changed'].parse(pushed[1]![1])).toMatchObject({ theme: 'dark' });
    expect(seen).toHaveBeenCalledWith(change);
    pushes.stop();
    queue.update('j', { status: 'queued' });
    settings.update({ theme: 'light' });
    vi.advanceTimersByTime(500);
    expect(pushed).toHaveLength(2);
  });

  it('tells a job the window listed by a patch; onUploadsChanged still gets it whole', async () => {
    const queue = createUploadQueue(createMemoryPersistence({ version: 1, jobs: [job] }));
    await queue.restore();
    const core = fakeCore(queue);
    core.windowJobs.snapshot(queue.list());
    const pushed: unknown[] = [];
    const seen = vi.fn();
    const pushes = connectPushes(core, (channel, payload) => channel === 'uploads:changed' && pushed.push(payload), {
      onUploadsChanged: seen,
    });
    queue.update('j', { status: 'paused', attempts: 2 });
    vi.advanceTimersByTime(100);
    expect(pushed).toEqual([
      { jobs: [], patches: [{ id: 'j', status: 'paused', attempts: 2 }], removed: [], overall: expect.anything() },
    ]);
    expect(seen).toHaveBeenCalledWith(
      expect.objectContaining({ jobs: [expect.objectContaining({ id: 'j', name: 'b.bin', status: 'paused' })] }),
    );
    pushes.stop();
  });

  it('pushes the sharing view on every change, one at a time, ending with the latest', async () => {
    let link = 'http://127.0.0.2:4000/?t=a';
    const sharing = fakeSharing(() => ({ ...sharingOff, active: true, link, offAt: 1_000, idleMs: 900_000 }));
    const core = fakeCore(createUploadQueue(createMemoryPersistence()), { sharing });
    const pushed: unknown[] = [];
    const pushes = connectPushes(
      core,
      (channel, payload) =>
        channel === 'sharing:changed' && pushed.push(pushContract['sharing:changed'].parse(payload)),
    );
    sharing.emit();
    link = 'http://127.0.0.2:4000/?t=b';
    sharing.emit();
    sharing.emit();
    await vi.waitFor(() => expect(pushed).toHaveLength(2));
    expect(pushed.at(-1)).toMatchObject({ active: true, link: 'http://127.0.0.2:4000/?t=b' });
    expect(sharing.view).toHaveBeenCalledTimes(2);
    pushes.stop();
    sharing.emit();
    await Promise.resolve();
    expect(pushed).toHaveLength(2);
  });
});
