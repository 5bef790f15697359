import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createUploadQueue } from '../engine/sender/upload-queue';
import type { UploadJob } from '../shared/upload-job';
import { createElectronStorePersistence, type KeyValueStore } from './electron-store-persistence';

/** electron-store rewrites its whole file on every set: the fake counts sets and the bytes they cost. */
function fakeStore(
  initial: Record<string, unknown> = {},
): KeyValueStore & { data: Record<string, unknown>; sets: number; bytes: number } {
  const data = { ...initial };
  const fake = {
    data,
    sets: 0,
    bytes: 0,
    get: (key: string) => data[key],
    set: (key: string, value: unknown) => {
      data[key] = structuredClone(value);
      fake.sets += 1;
      fake.bytes += Buffer.byteLength(JSON.stringify(data));
    },
  };
  return fake;
}

const job: UploadJob = {
  id: 'j1',
  path: '/home/a/x.bin',
  name: 'x.bin',
  size: 10,
  mtimeMs: 1,
  target: { endpoint: 'http://127.0.0.1:1/files/' },
  status: 'paused',
  acknowledged: 4,
  sent: 6,
  attempts: 0,
  addedAt: 1,
  uploadUrl: 'http://127.0.0.1:1/files/abc',
};
const many = (count: number) =>
  Array.from({ length: count }, (_, index): UploadJob => ({
    ...job,
    id: `j${index}`,
    path: `/home/a/${index}.bin`,
    name: `${index}.bin`,
    status: 'queued',
  }));

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('electron-store queue persistence', () => {
  it('round-trips the queue exactly', async () => {
    const store = fakeStore();
    const persistence = createElectronStorePersistence(store);
    expect(await persistence.load()).toBeUndefined();
    await persistence.save({ version: 1, jobs: [job] });
    expect(await createElectronStorePersistence(store).load()).toEqual({ version: 1, jobs: [job] });
  });

  it('keeps an unreadable queue aside instead of dropping it', async () => {
    const store = fakeStore({ uploadQueue: { version: 1, jobs: [{ id: 3 }] } });
    expect(await createElectronStorePersistence(store).load()).toBeUndefined();
    expect(Object.keys(store.data).some((key) => key.startsWith('uploadQueue-unreadable-'))).toBe(true);
  });

  it('with a journal, a change to a few jobs of 2,000 appends them and leaves the store alone; the queue restores exactly', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-store-journal-'));
    const journalPath = join(dir, 'queue.journal');
    const store = fakeStore();
    const seed = createElectronStorePersistence(store, { journalPath });
    await seed.save({ version: 1, jobs: many(2_000) });
    const storeBytes = store.bytes;

    const queue = createUploadQueue(createElectronStorePersistence(store, { journalPath }));
    await queue.restore();
    const setsBefore = store.sets;
    queue.update('j5', { status: 'completed', acknowledged: 10, sent: 10, finishedAt: 9 });
    queue.update('j7', { status: 'running', uploadUrl: 'http://127.0.0.1:1/files/j7' });
    queue.update('j7', { acknowledged: 3, sent: 5 });
    queue.move('j9', 0);
    queue.remove('j11');
    await queue.flush();
    expect(store.sets).toBe(setsBefore);
    const journal = (await stat(journalPath)).size;
    console.log('electron-store port, 2,000 jobs', { wholeStoreBytes: storeBytes, journalBytesForOneSave: journal });
    // Two jobs and the order (ids only), a small fraction of the whole.
    expect(journal).toBeLessThan(storeBytes / 4);

    const restored = createUploadQueue(createElectronStorePersistence(store, { journalPath }));
    await restored.restore();
    const expected = queue
      .list()
      .map((entry) => (entry.status === 'running' ? { ...entry, status: 'queued', phase: undefined } : entry));
    expect(restored.list()).toEqual(expected);
    expect(restored.list()[0]?.id).toBe('j9');
  });
});
