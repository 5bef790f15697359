// The window fed main's compact pushes (new jobs whole, known ones as patches, big batches split over
// turns) must hold exactly the views main would send whole: checked after every batch of a long run
// of random changes, a window reload in the middle included.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryPersistence } from '../../src/engine/sender/queue-persistence';
import { createUploadQueue } from '../../src/engine/sender/upload-queue';
import { connectPushes } from '../../src/main/core/core-pushes';
import type { FerryCore } from '../../src/main/core/ferry-core';
import { createJobViewer } from '../../src/main/core/job-view';
import { createMemoryKeyValueStore } from '../../src/main/core/key-value-store';
import { createSettingsStore } from '../../src/main/core/settings-store';
import { createCoreWindowJobs } from '../../src/main/core/window-jobs';
import { pushContract, type PushPayload, type QueueSnapshot } from '../../src/shared/ipc/contract';
import type { JobView, OverallView } from '../../src/shared/ipc/job-view';
import type { UploadJob } from '../../src/shared/upload-job';
import { makeTempDir, removeDir } from '../support/files';
import { fakeUploadPool } from '../support/upload-pool-test-kit';

/** The renderer's parts this test feeds, as far as it uses them. */
interface RendererQueue {
  emptyOverall: OverallView;
  foldQueueChange(
    jobs: Map<string, JobView>,
    order: readonly string[],
    change: PushPayload<'uploads:changed'>,
  ): readonly string[];
  createQueueStore(deps: { schedule: (callback: () => void) => void }): {
    load(snapshot: QueueSnapshot): void;
    applyChange(change: PushPayload<'uploads:changed'>): void;
    getView(): { rows: readonly unknown[] };
  };
}

// The renderer is type-checked in its own project (DOM, no Node), so this Node-side test reaches it
// at run time only.
const rendererModules = ['../../src/renderer/src/model/queue-state', '../../src/renderer/src/state/queue-store'];
const loadRenderer = async (): Promise<RendererQueue> =>
  Object.assign({}, ...((await Promise.all(rendererModules.map((path) => import(path)))) as object[])) as RendererQueue;

const endpoint = 'http://127.0.0.1:4000/files/';
let dir: string | undefined;

beforeEach(async () => {
  dir = await makeTempDir('compact-pushes');
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setImmediate', 'clearImmediate'] });
});
afterEach(async () => {
  vi.useRealTimers();
  await removeDir(dir);
});

/** Same sequence every run. */
function random(seed: number) {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return { next, pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]! };
}

const statuses: UploadJob['status'][] = ['queued', 'running', 'paused', 'completed', 'failed', 'canceled'];
const phases = [undefined, 'uploading', 'retrying', 'stalled', 'waiting'] as const;

describe('compact pushes into the window', () => {
  it("leave the window's jobs equal to main's whole views after every batch", async () => {
    const { emptyOverall, foldQueueChange, createQueueStore } = await loadRenderer();
    const files = await Promise.all(
      Array.from({ length: 400 }, async (_, index) => {
        const path = join(dir!, `file-${index}.bin`);
        await writeFile(path, 'x'.repeat(index + 1));
        return path;
      }),
    );
    const persistence = createMemoryPersistence();
    const queue = createUploadQueue(persistence, { saveDelayMs: 0, progressSaveMs: 0 });
    await queue.restore();
    const pool = fakeUploadPool(queue);
    const { hub } = pool;
    const core = {
      queue,
      pool,
      settings: createSettingsStore({ store: createMemoryKeyValueStore() }),
      sharing: { view: async () => undefined, onChange: () => () => undefined },
      windowJobs: createCoreWindowJobs({ hub, embeddedEndpoint: () => endpoint }),
    } as unknown as FerryCore;
    const whole = createJobViewer({ hub, embeddedEndpoint: () => endpoint });

    // The window: the renderer's store, and the model's fold kept beside it to compare views exactly.
    const open = () => {
      const snapshot = { jobs: core.windowJobs.snapshot(queue.list()), overall: emptyOverall };
      const store = createQueueStore({ schedule: (callback) => callback() });
      store.load(structuredClone(snapshot));
      return {
        store,
        jobs: new Map(snapshot.jobs.map((view) => [view.id, view])),
        order: snapshot.jobs.map((v) => v.id),
      };
    };
    let window = open();
    let patches = 0;
    let split = false;
    const pushes = connectPushes(core, (channel, payload) => {
      if (channel !== 'uploads:changed') return;
      // As IPC hands it over: cloned, and in the contract's shape.
      const change = pushContract['uploads:changed'].parse(structuredClone(payload));
      patches += change.patches?.length ?? 0;
      if (change.jobs.length + (change.patches?.length ?? 0) === 128) split = true;
      window.store.applyChange(change);
      window.order = [...foldQueueChange(window.jobs, window.order, change)];
    });

    const { next, pick } = random(7);
    const expectSame = () => {
      const views = queue.list().map(whole);
      const byId = new Map(views.map((view) => [view.id, view]));
      expect(window.jobs).toStrictEqual(byId);
      expect([...window.order].sort()).toEqual([...byId.keys()].sort());
      const fresh = createQueueStore({ schedule: (callback) => callback() });
      fresh.load({ jobs: window.order.map((id) => byId.get(id)!), overall: emptyOverall });
      expect(window.store.getView().rows).toStrictEqual(fresh.getView().rows);
    };

    let added = 0;
    for (let round = 0; round < 150; round++) {
      if (round % 10 === 0 && added < files.length) {
        const count = round === 0 ? 300 : 10;
        await queue.add(files.slice(added, added + count), { endpoint });
        added += count;
      }
      const jobs = queue.list();
      for (let change = 0; change < 1 + Math.floor(next() * 40); change++) {
        const job = pick(jobs);
        if (!queue.get(job.id)) continue;
        const roll = next();
        if (roll < 0.04) queue.remove(job.id);
        else if (roll < 0.3) hub.emit(job.id, Math.floor(next() * 1000), next() < 0.3 ? null : 7);
        else {
          const patch: Partial<UploadJob> = { status: pick(statuses), phase: pick(phases) };
          if (next() < 0.3) patch.error = next() < 0.5 ? undefined : { code: 'E', message: `no ${round}` };
          if (next() < 0.5) patch.acknowledged = Math.floor(next() * job.size);
          if (next() < 0.3) patch.retryAt = next() < 0.5 ? undefined : 1_000 + round;
          if (next() < 0.2) patch.finishedAt = round;
          if (next() < 0.2) Object.assign(patch, { sha256: `sha-${round}`, sha256Confirmed: next() < 0.5 });
          if (next() < 0.1) patch.uploadUrl = `${endpoint}up-${job.id}`;
          queue.update(job.id, patch);
        }
      }
      // Now and then everything is looked at again (a reorder), or the window reloads.
      if (round === 60) queue.move(queue.list()[5]!.id, 0);
      if (round === 90) {
        // A window that reloads lists the queue between two batches: what changed and changed back
        // after the list must reach it too.
        const id = queue.list()[3]!.id;
        queue.update(id, { status: 'paused', phase: 'stalled', attempts: 1 });
        await vi.advanceTimersByTimeAsync(120);
        queue.update(id, { phase: 'retrying', attempts: 2 });
        window = open();
        queue.update(id, { phase: 'stalled', attempts: 1 });
      }
      await vi.advanceTimersByTimeAsync(100);
      await vi.advanceTimersByTimeAsync(20);
      expectSame();
    }
    pushes.stop();
    expect(patches).toBeGreaterThan(500);
    expect(split).toBe(true);
  });
});
