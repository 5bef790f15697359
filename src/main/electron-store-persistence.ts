import type { PersistedQueue, QueuePersistence, SnapshotStore } from '../engine/sender/queue-persistence';
import { writeFileAtomic } from '../engine/fs/atomic-file';
import { createJournaledPersistence, StoredQueue } from '../engine/sender/queue-persistence';
import { UploadJob } from '../shared/upload-job';

import type { KeyValueStore } from './core/key-value-store';

export type { KeyValueStore } from './core/key-value-store';

const queueKey = 'uploadQueue';

export interface ElectronStorePersistenceOptions {
  /**
   * A file for the journal of changed jobs (say `<userData>/queue.journal`). electron-store rewrites
   * its whole file on every set, so without a journal each save rewrites the whole queue; with one,
   * a save appends the jobs that changed and the store is rewritten only to compact.
   */
  journalPath?: string;
}

/**
 * The sender's persistence port backed by electron-store in the desktop app. A stored queue that no
 * longer parses is kept aside under another key rather than silently dropped.
 */
export function createElectronStorePersistence(
  store: KeyValueStore,
  options: ElectronStorePersistenceOptions = {},
): QueuePersistence {
  // A dash, not a dot: with dot paths a key like `uploadQueue.x` would land inside the queue itself.
  const keepAside = (raw: unknown) => store.set(`${queueKey}-unreadable-${Date.now()}`, raw);
  const snapshot: SnapshotStore = {
    async read() {
      const raw = store.get(queueKey);
      if (raw === undefined) return undefined;
      const envelope = StoredQueue.safeParse(raw);
      const jobs = envelope.success ? UploadJob.array().safeParse(envelope.data.jobs) : undefined;
      if (!envelope.success || !jobs?.success) {
        keepAside(raw);
        return undefined;
      }
      return {
        jobs: jobs.data,
        generation: envelope.data.generation ?? 0,
        bytes: Buffer.byteLength(JSON.stringify(raw)),
      };
    },
    async write(state) {
      store.set(queueKey, state);
      return Buffer.byteLength(JSON.stringify(state));
    },
  };
  const { journalPath } = options;
  if (journalPath) {
    // A damaged journal is kept as a file beside it, not in the store that every save rewrites.
    const journalAside = (text: string) =>
      writeFileAtomic(`${journalPath}.unreadable-${Date.now()}`, text, false).catch(() => undefined);
    return createJournaledPersistence(snapshot, journalPath, journalAside);
  }
  return {
    async load() {
      const stored = await snapshot.read();
      return stored && { version: 1, jobs: stored.jobs };
    },
    async save(state: PersistedQueue) {
      store.set(queueKey, state);
    },
  };
}
