import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgressHub } from '../../engine/progress';
import { createMemoryPersistence } from '../../engine/sender/queue-persistence';
import type { UploadPool } from '../../engine/sender/upload-pool';
import { createUploadQueue } from '../../engine/sender/upload-queue';
import { pushContract } from '../../shared/ipc/contract';
import { sharingOff, type SharingView } from '../../shared/ipc/sharing-view';
import type { UploadJob } from '../../shared/upload-job';
import { connectPushes } from './core-pushes';
import type { FerryCore } from './ferry-core';
import { createMemoryKeyValueStore } from './key-value-store';
import { createSettingsStore } from './settings-store';
import { windowJobsOf } from './window-jobs';

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

/** A pool with nothing running: one queued file of 10 bytes. */
function idlePool(): UploadPool {
  const overall = { files: 1, completed: 0, failed: 0, size: 10, acknowledged: 0, bytesPerSecond: 0, etaSeconds: null };
  return {
    hub: createProgressHub(),
    overall: () => overall,
    activeCount: () => 0,
    activeIds: () => [],
  } as unknown as UploadPool;
}

describe('core pushes', () => {
  it("pushes batched job changes and settings changes in the contract's shapes", async () => {
    const queue = createUploadQueue(createMemoryPersistence({ version: 1, jobs: [job] }));
    await queue.restore();
    const settings = createSettingsStore({ store: createMemoryKeyValueStore() });
    const pool = idlePool();
    const core = {
      queue,
      pool,
      settings,
      embeddedEndpoint: () => endpoint,
      sharing: fakeSharing(),
    } as unknown as FerryCore;
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
    const pool = idlePool();
    const core = {
      queue,
      pool,
      settings: createSettingsStore({ store: createMemoryKeyValueStore() }),
      embeddedEndpoint: () => endpoint,
      sharing: fakeSharing(),
    } as unknown as FerryCore;
    windowJobsOf(core).snapshot(queue.list());
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
    const queue = createUploadQueue(createMemoryPersistence());
    const pool = {
      hub: createProgressHub(),
      overall: () => ({
        files: 0,
        completed: 0,
        failed: 0,
        size: 0,
        acknowledged: 0,
        bytesPerSecond: 0,
        etaSeconds: null,
      }),
      activeCount: () => 0,
      activeIds: () => [],
    } as unknown as UploadPool;
    let link = 'http://127.0.0.2:4000/?t=a';
    const sharing = fakeSharing(() => ({ ...sharingOff, active: true, link, offAt: 1_000, idleMs: 900_000 }));
    const core = {
      queue,
      pool,
      settings: createSettingsStore({ store: createMemoryKeyValueStore() }),
      embeddedEndpoint: () => endpoint,
      sharing,
    } as unknown as FerryCore;
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
