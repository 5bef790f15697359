import { describe, expect, it } from 'vitest';
import type { UploadJob } from '../shared/upload-job';
import { createElectronStorePersistence, type KeyValueStore } from './electron-store-persistence';

function fakeStore(initial: Record<string, unknown> = {}): KeyValueStore & { data: Record<string, unknown> } {
  const data = { ...initial };
  return { data, get: (key) => data[key], set: (key, value) => void (data[key] = structuredClone(value)) };
}

const job: UploadJob = {
  id: 'j1', path: '/home/a/x.bin', name: 'x.bin', size: 10, mtimeMs: 1, target: { endpoint: 'http://127.0.0.1:1/files/' },
  status: 'paused', acknowledged: 4, sent: 6, attempts: 0, addedAt: 1, uploadUrl: 'http://127.0.0.1:1/files/abc',
};

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
    expect(Object.keys(store.data).some((key) => key.startsWith('uploadQueue.unreadable-'))).toBe(true);
  });
});
