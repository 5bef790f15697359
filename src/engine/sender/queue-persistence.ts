import * as z from 'zod';
import { UploadJob } from '../../shared/upload-job';
import { writeFileAtomic } from '../fs/atomic-file';
import { createReplay, type PersistedQueue, type QueueChanges, type QueuePersistence } from './queue-changes';
import { createJournaledPersistence, fileSnapshot } from './queue-journal';

export { PersistedQueue, createReplay, type QueueChanges, type QueuePersistence } from './queue-changes';
export { createJournaledPersistence, type SnapshotStore } from './queue-journal';

/** The stored envelope; `generation` ties journal lines to the snapshot they follow (absent: 0). */
export const StoredQueue = z.object({
  version: z.literal(1),
  generation: z.number().int().nonnegative().optional(),
  jobs: z.array(z.unknown()),
});

/**
 * The queue as `path` (a snapshot) plus `path.journal` (changed jobs since), see queue-journal.ts.
 * One bad job (say, an offset a broken server turned into NaN, stored as null) used to drop the whole
 * queue, and the next save overwrote the file: the jobs that still parse are kept, and a copy of what
 * could not be read is kept aside.
 */
export function createJsonFilePersistence(path: string): QueuePersistence {
  const keepAside = (text: string) =>
    writeFileAtomic(`${path}.unreadable-${Date.now()}`, text, false).catch(() => undefined);
  const parse = async (text: string) => {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      await keepAside(text);
      return undefined;
    }
    const envelope = StoredQueue.safeParse(raw);
    if (!envelope.success) {
      await keepAside(text);
      return undefined;
    }
    // The objects JSON.parse made, once checked: the schema has no defaults or transforms, so its own
    // copy would only be garbage, 100,000 of them for a large queue, which makes the heap grow for good.
    const jobs = envelope.data.jobs.filter((job): job is UploadJob => UploadJob.safeParse(job).success);
    if (jobs.length < envelope.data.jobs.length) await keepAside(text);
    return { jobs, generation: envelope.data.generation ?? 0 };
  };
  return createJournaledPersistence(fileSnapshot(path, parse), `${path}.journal`, keepAside);
}

/** In memory, for tests and hosts that keep nothing: stores copies, never the live jobs. */
export function createMemoryPersistence(
  initial?: PersistedQueue,
): QueuePersistence & { saved: number; state: PersistedQueue | undefined } {
  const box = {
    /** Saves of either kind so far. */
    saved: 0,
    state: initial,
    async load() {
      return box.state;
    },
    async save(state: PersistedQueue) {
      box.saved += 1;
      box.state = structuredClone(state);
    },
    async saveChanges(changes: QueueChanges) {
      box.saved += 1;
      const replay = createReplay(box.state?.jobs ?? []);
      replay.apply(structuredClone(changes));
      box.state = { version: 1, jobs: replay.result() };
    },
  };
  return box;
}
