import { randomUUID } from 'node:crypto';
import { opendir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { fingerprintOf, type UploadJob, type UploadTarget } from '../../shared/upload-job';
import type { QueuePersistence } from './queue-changes';
import { createQueuedOrder, type Skip } from './queued-order';
import { createQueueSaver, type QueueSaverOptions } from './queue-saver';

export interface AddResult {
  added: UploadJob[];
  /** Same path, size and mtime to the same target, already queued. */
  duplicates: string[];
  /**
   * Ids of completed jobs among those duplicates, once each: the file was sent before. The caller
   * may check that the target still has it (`pool.recheck`), as the user asked for it again.
   */
  completedDuplicates: string[];
  /** Paths that could not be read, with the reason. */
  skipped: { path: string; reason: string }[];
}

export interface UploadQueue {
  restore(): Promise<void>;
  /** Files and whole folders; folders keep their structure as `relativePath`. */
  /** `growing`: the files are still being written; each is followed until it stops growing. */
  add(
    paths: string[],
    target: UploadTarget,
    options?: { allowDuplicates?: boolean; growing?: boolean },
  ): Promise<AddResult>;
  list(): readonly UploadJob[];
  get(id: string): UploadJob | undefined;
  update(id: string, patch: Partial<UploadJob>): UploadJob | undefined;
  remove(id: string): void;
  /** Moves a job to a position in the order (0 = first). */
  move(id: string, index: number): void;
  /**
   * Next queued job in order, not in `skip`, to a target `usable` accepts. Found from an ordered index,
   * not by walking the queue.
   */
  nextQueued(skip: Skip, usable?: (target: UploadTarget) => boolean): UploadJob | undefined;
  /** Drops completed and canceled jobs; returns how many went. */
  removeFinished(): number;
  /**
   * Called after jobs were added, updated, removed or moved, with their ids; `'all'` after a restore
   * or a reorder. Progress updates call it too, many times a second: listeners only collect ids.
   */
  onChange(listener: (ids: string[] | 'all') => void): () => void;
  /**
   * Persists what changed now. Otherwise durable changes (status, upload URLs, parts) are saved within
   * about half a second, progress (acknowledged, sent, phase) every few seconds.
   */
  flush(): Promise<void>;
}

/** Patches made only of these are progress: saved on the slow timer (a resume asks the target by HEAD). */
const progressFields = new Set<string>(['acknowledged', 'sent', 'phase']);

/** What `fingerprintOf` reads, and `status`, which decides whether a job holds its fingerprint. */
const fingerprintFields = ['path', 'size', 'mtimeMs', 'target', 'status'] as const;

async function* walk(root: string): AsyncGenerator<string> {
  const dir = await opendir(root);
  for await (const entry of dir) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

export interface UploadQueueOptions {
  /** Delay before durable changes are saved (coalescing). */
  saveDelayMs?: number;
  /** Delay before progress-only changes are saved. */
  progressSaveMs?: number;
}

export function createUploadQueue(persistence: QueuePersistence, options: UploadQueueOptions = {}): UploadQueue {
  let jobs: UploadJob[] = [];
  const byId = new Map<string, UploadJob>();
  // One fingerprint can map to several live jobs (`allowDuplicates`); removing or canceling one of
  // them must not drop the duplicate guard for the others.
  const fingerprints = new Map<string, Set<string>>();
  const order = createQueuedOrder((id) => byId.get(id));
  const saverOptions: QueueSaverOptions = {
    durableDelayMs: options.saveDelayMs,
    progressDelayMs: options.progressSaveMs,
  };
  const saver = createQueueSaver(persistence, { list: () => jobs, get: (id) => byId.get(id) }, saverOptions);
  const listeners = new Set<(ids: string[] | 'all') => void>();

  function changed(ids: string[] | 'all') {
    for (const listener of listeners) {
      // A failing listener (the window went away) must not break the queue for the pool.
      try {
        listener(ids);
      } catch {
        /* listeners are best effort */
      }
    }
  }

  function index(job: UploadJob) {
    byId.set(job.id, job);
    if (job.status === 'canceled') return;
    const key = fingerprintOf(job);
    const ids = fingerprints.get(key);
    if (ids) ids.add(job.id);
    else fingerprints.set(key, new Set([job.id]));
  }

  function unindexFingerprint(job: UploadJob) {
    const key = fingerprintOf(job);
    const ids = fingerprints.get(key);
    ids?.delete(job.id);
    if (ids?.size === 0) fingerprints.delete(key);
  }

  async function makeJob(path: string, root: string | undefined, target: UploadTarget): Promise<UploadJob> {
    const info = await stat(path);
    const relativePath = root ? relative(root, path).split(sep).join('/') : undefined;
    return {
      id: randomUUID(),
      path,
      name: basename(path),
      ...(relativePath ? { relativePath } : {}),
      size: info.size,
      mtimeMs: info.mtimeMs,
      target,
      status: 'queued',
      acknowledged: 0,
      sent: 0,
      attempts: 0,
      addedAt: Date.now(),
    };
  }

  const queue: UploadQueue = {
    async restore() {
      const state = await persistence.load();
      jobs = [];
      byId.clear();
      fingerprints.clear();
      for (const job of state?.jobs ?? []) {
        // A job that was running when the process died resumes: it goes back to the queue.
        const restored: UploadJob = job.status === 'running' ? { ...job, status: 'queued', phase: undefined } : job;
        jobs.push(restored);
        index(restored);
      }
      order.reset(jobs);
      saver.reset();
      changed('all');
    },

    async add(paths, target, addOptions = {}) {
      const result: AddResult = { added: [], duplicates: [], completedDuplicates: [], skipped: [] };
      const completed = new Set<string>();
      for (const given of paths) {
        const absolute = resolve(given);
        try {
          const info = await stat(absolute);
          // A folder's own name is the top of the tree on the receiver, as in a drag and drop.
          const files = info.isDirectory() ? walk(absolute) : [absolute];
          const root = info.isDirectory() ? resolve(absolute, '..') : undefined;
          for await (const file of files) {
            const job = await makeJob(file, root, target);
            if (addOptions.growing) job.growing = true;
            const same = fingerprints.get(fingerprintOf(job));
            if (same && !addOptions.allowDuplicates) {
              result.duplicates.push(file);
              for (const id of same) if (byId.get(id)?.status === 'completed') completed.add(id);
              continue;
            }
            jobs.push(job);
            index(job);
            order.append(job);
            saver.changed(job.id, true);
            result.added.push(job);
          }
        } catch (error) {
          result.skipped.push({ path: absolute, reason: (error as Error).message });
        }
      }
      result.completedDuplicates = [...completed];
      if (result.added.length > 0) {
        changed(result.added.map((job) => job.id));
        await saver.flush();
      }
      return result;
    },

    list: () => jobs,
    get: (id) => byId.get(id),

    update(id, patch) {
      const job = byId.get(id);
      if (!job) return undefined;
      // Re-key the duplicate guard: a cancel drops it, retrying a canceled job brings it back, and a
      // patch may change size or mtime. Progress patches (many per second) leave it alone.
      const rekey = fingerprintFields.some((key) => key in patch);
      if (rekey) unindexFingerprint(job);
      Object.assign(job, patch);
      if (rekey) index(job);
      if ('status' in patch || 'target' in patch) order.refresh(job);
      saver.changed(id, !Object.keys(patch).every((key) => progressFields.has(key)));
      changed([id]);
      return job;
    },

    remove(id) {
      const job = byId.get(id);
      if (!job) return;
      jobs = jobs.filter((item) => item.id !== id);
      byId.delete(id);
      unindexFingerprint(job);
      order.forget(id);
      saver.removed([id]);
      changed([id]);
    },

    removeFinished() {
      const gone = jobs.filter((job) => job.status === 'completed' || job.status === 'canceled');
      if (gone.length === 0) return 0;
      jobs = jobs.filter((job) => job.status !== 'completed' && job.status !== 'canceled');
      for (const job of gone) {
        byId.delete(job.id);
        unindexFingerprint(job);
        order.forget(job.id);
      }
      saver.removed(gone.map((job) => job.id));
      changed(gone.map((job) => job.id));
      return gone.length;
    },

    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },

    move(id, position) {
      const from = jobs.findIndex((job) => job.id === id);
      if (from < 0) return;
      const [job] = jobs.splice(from, 1);
      const to = Math.max(0, Math.min(position, jobs.length));
      jobs.splice(to, 0, job!);
      order.moved(jobs, to);
      saver.moved();
      changed('all');
    },

    nextQueued: (skip, usable) => order.next(skip, usable),
    flush: () => saver.flush(),
  };
  return queue;
}
