import * as z from 'zod';
import { UploadJob } from '../../shared/upload-job';

export const PersistedQueue = z.object({ version: z.literal(1), jobs: z.array(UploadJob) });
export type PersistedQueue = z.infer<typeof PersistedQueue>;

/** What changed in the queue since it was last saved. */
export interface QueueChanges {
  /** Jobs added or changed, whole, as they are now; new ones in the order they were added (they go last). */
  jobs: UploadJob[];
  removed: string[];
  /** Every id in queue order, only when jobs were moved (the user reordering by hand). */
  order?: string[];
}

/** The persistence port: a JSON file and its journal when headless, electron-store in the app. */
export interface QueuePersistence {
  load(): Promise<PersistedQueue | undefined>;
  /** Stores the whole queue in place of what was stored. */
  save(state: PersistedQueue): Promise<void>;
  /**
   * Stores only what changed (say, a journal entry), so writes follow the changes, not the queue's
   * size. `current` gives the whole queue, for a port that compacts now and then. The jobs are the
   * queue's frozen snapshots (a later change replaces them, never alters them). Without it, the queue
   * calls `save`.
   */
  saveChanges?(changes: QueueChanges, current: () => PersistedQueue): Promise<void>;
}

/**
 * Jobs with changes applied one batch after another, each batch in time proportional to its size
 * (a journal of thousands of entries replays in one pass). `order` batches are the exception.
 */
export function createReplay(start: readonly UploadJob[]) {
  let list = [...start];
  let at = new Map(list.map((job, index) => [job.id, index]));
  const removed = new Set<string>();
  const compact = () => {
    if (removed.size > 0) list = list.filter((job) => !removed.has(job.id));
    removed.clear();
    at = new Map(list.map((job, index) => [job.id, index]));
  };
  return {
    apply(changes: QueueChanges) {
      for (const job of changes.jobs) {
        const index = at.get(job.id);
        removed.delete(job.id);
        if (index === undefined) at.set(job.id, list.push(job) - 1);
        else list[index] = job;
      }
      for (const id of changes.removed) if (at.has(id)) removed.add(id);
      if (changes.order) {
        compact();
        const rank = new Map(changes.order.map((id, index) => [id, index]));
        // Jobs the order does not name (there should be none) keep their places after the others.
        list.sort((a, b) => (rank.get(a.id) ?? changes.order!.length) - (rank.get(b.id) ?? changes.order!.length));
        at = new Map(list.map((job, index) => [job.id, index]));
      }
    },
    result(): UploadJob[] {
      compact();
      return list;
    },
  };
}
