import type { UploadJob } from '../../shared/upload-job';
import type { PersistedQueue, QueuePersistence } from './queue-changes';

export interface QueueSaverOptions {
  /** Durable changes (status, upload URLs, parts) are saved this long after the first one. */
  durableDelayMs?: number;
  /** Progress-only changes wait this long, unless a durable save or a flush takes them along first. */
  progressDelayMs?: number;
}

export interface QueueSaver {
  /** The job changed; `durable`: the change must reach the disk soon (not only progress). */
  changed(id: string, durable: boolean): void;
  removed(ids: Iterable<string>): void;
  /** The order changed (a move). */
  moved(): void;
  /** Saves everything pending now; flushes asked for during a save share the one queued behind it. */
  flush(): Promise<void>;
  /** Forgets what is pending: the queue was just restored from what is stored. */
  reset(): void;
}

/**
 * Decides what the queue writes and when. Only the jobs that changed are handed to the port (whole
 * saves only where the port cannot do better). Progress does not need to be durable: a resume asks
 * the target for its offset (HEAD), so acknowledged bytes are saved on a slow timer, or along with
 * the next durable change, and on close.
 */
export function createQueueSaver(
  persistence: QueuePersistence,
  view: { list(): readonly UploadJob[]; get(id: string): UploadJob | undefined },
  options: QueueSaverOptions = {},
): QueueSaver {
  let pending = new Set<string>();
  let removedIds = new Set<string>();
  let reordered = false;
  let durableTimer: NodeJS.Timeout | undefined;
  let progressTimer: NodeJS.Timeout | undefined;
  let saving: Promise<void> = Promise.resolve();
  let queuedSave: Promise<void> | undefined;

  const snapshot = (): PersistedQueue => ({ version: 1, jobs: view.list() as UploadJob[] });
  const soon = () => void flush().catch(() => undefined);

  function stopTimers() {
    if (durableTimer) clearTimeout(durableTimer);
    if (progressTimer) clearTimeout(progressTimer);
    durableTimer = progressTimer = undefined;
  }

  async function write(): Promise<void> {
    if (pending.size === 0 && removedIds.size === 0 && !reordered) return;
    const ids = pending;
    const gone = removedIds;
    const moved = reordered;
    pending = new Set();
    removedIds = new Set();
    reordered = false;
    try {
      if (!persistence.saveChanges) return await persistence.save(snapshot());
      const jobs: UploadJob[] = [];
      for (const id of ids) {
        const job = view.get(id);
        if (job) jobs.push(job);
      }
      await persistence.saveChanges(
        { jobs, removed: [...gone], ...(moved ? { order: view.list().map((job) => job.id) } : {}) },
        snapshot,
      );
    } catch (error) {
      // Not stored: it goes with the next save, older changes first.
      pending = new Set([...ids, ...pending]);
      for (const id of gone) removedIds.add(id);
      reordered ||= moved;
      throw error;
    }
  }

  function flush(): Promise<void> {
    stopTimers();
    if (queuedSave) return queuedSave;
    // Reads what is pending when it runs, not now: a save queued behind a slow one covers every change
    // made meanwhile.
    const next = saving
      .catch(() => undefined)
      .then(() => {
        queuedSave = undefined;
        return write();
      });
    queuedSave = next;
    saving = next;
    return next;
  }

  const durable = () => void (durableTimer ??= setTimeout(soon, options.durableDelayMs ?? 500));

  return {
    changed(id, isDurable) {
      pending.add(id);
      if (isDurable) return durable();
      if (progressTimer) return;
      progressTimer = setTimeout(soon, options.progressDelayMs ?? 5_000);
      // Progress left unsaved at exit costs nothing: the next run resumes by HEAD.
      progressTimer.unref();
    },
    removed(ids) {
      for (const id of ids) {
        removedIds.add(id);
        pending.delete(id);
      }
      durable();
    },
    moved() {
      reordered = true;
      durable();
    },
    flush,
    reset() {
      stopTimers();
      pending = new Set();
      removedIds = new Set();
      reordered = false;
    },
  };
}
