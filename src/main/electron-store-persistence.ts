import type { PersistedQueue, QueuePersistence } from '../engine/sender/queue-persistence';
import { PersistedQueue as PersistedQueueSchema } from '../engine/sender/queue-persistence';

/** The slice of electron-store the queue needs; the real store and test fakes both fit. */
export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

const queueKey = 'uploadQueue';

/**
 * The sender's persistence port backed by electron-store in the desktop app. A stored queue that no
 * longer parses is kept aside under another key rather than silently dropped.
 */
export function createElectronStorePersistence(store: KeyValueStore): QueuePersistence {
  return {
    async load() {
      const raw = store.get(queueKey);
      if (raw === undefined) return undefined;
      const parsed = PersistedQueueSchema.safeParse(raw);
      if (parsed.success) return parsed.data;
      store.set(`${queueKey}.unreadable-${Date.now()}`, raw);
      return undefined;
    },
    async save(state: PersistedQueue) {
      store.set(queueKey, state);
    },
  };
}
