import { randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { fingerprintOf, type UploadJob, type UploadTarget } from '../../shared/upload-job';
import type { QueuePersistence } from './queue-changes';
import { patchedJob, queuedJob, type QueuedJob } from './queued-job';
import { createQueuedOrder, type Skip } from './queued-order';
import { createQueueSaver, type QueueSaverOptions } from './queue-saver';
import { relativeTo, walk, withStats } from './source-files';

export type { QueuedJob } from './queued-job';

export interface AddResult {
  added: QueuedJob[];
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
  /** Jobs are frozen (see queued-job.ts): a change is an `update`, never an assignment. */
  list(): readonly QueuedJob[];
  get(id: string): QueuedJob | undefined;
  /** Replaces the job with `patch` applied and tells the listeners; returns the job as it is now. */
  update(id: string, patch: Partial<UploadJob>): QueuedJob | undefined;
  remove(id: string): void;
  /** Moves a job to a position in the order (0 = first). */
  move(id: string, index: number): void;
  /**
   * Next queued job in order, not in `skip`, to a target `usable` accepts. Found from an ordered index,
   * not by walking the queue.
   */
  nextQueued(skip: Skip, usable?: (target: UploadTarget) => boolean): QueuedJob | undefined;
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

/**
 * A job id, flat. randomUUID() joins its string from 20 pieces, which V8 keeps as a tree of about 490
 * bytes until something flattens it: 49 MB for a folder of 100,000 files, held until the first save.
 */
const newJobId = () => Buffer.from(randomUUID(), 'latin1').toString('latin1');

/** Patches made only of these are progress: saved on the slow timer (a resume asks the target by HEAD). */
const progressFields = new Set<string>(['acknowledged', 'sent', 'phase']);

/** What `fingerprintOf` reads, and `status`, which decides whether a job holds its fingerprint. */
const fingerprintFields = ['path', 'size', 'mtimeMs', 'target', 'status'] as const;

export interface UploadQueueOptions {
  /** Delay before durable changes are saved (coalescing). */
  saveDelayMs?: number;
  /** Delay before progress-only changes are saved. */
  progressSaveMs?: number;
  /** A folder's files are stat'ed with blocking calls (see `withStats`): for the CLI, not the app. */
  blockingStats?: boolean;
}

export function createUploadQueue(persistence: QueuePersistence, options: UploadQueueOptions = {}): UploadQueue {
  let jobs: QueuedJob[] = [];
  const byId = new Map<string, QueuedJob>();
  /** Each job's index in `jobs`, so an update replaces it in place of a search. */
  const position = new Map<string, number>();
  const reposition = () => {
    position.clear();
    jobs.forEach((job, at) => position.set(job.id, at));
  };
  // The duplicate guard: live (not canceled) jobs by path, a string each job holds anyway, where a
  // fingerprint key would cost some 150 bytes per job; a lookup compares the few of one path (see
  // `sameAs`). A path can map to several (`allowDuplicates`, another target or version); removing or
  // canceling one must not drop the guard for the others. A lone job's id stands alone: a Set per job
  // would cost about 200 bytes more (20 MB for a queue of 100,000).
  const fingerprints = new Map<string, string | Set<string>>();
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

  function index(job: QueuedJob) {
    byId.set(job.id, job);
    if (job.status === 'canceled') return;
    const key = job.path;
    const ids = fingerprints.get(key);
    if (ids === undefined || ids === job.id) fingerprints.set(key, job.id);
    else if (typeof ids === 'string') fingerprints.set(key, new Set([ids, job.id]));
    else ids.add(job.id);
  }

  function unindexFingerprint(job: QueuedJob) {
    const key = job.path;
    const ids = fingerprints.get(key);
    if (ids === job.id) fingerprints.delete(key);
    else if (typeof ids === 'object') {
      ids.delete(job.id);
      if (ids.size === 1) fingerprints.set(key, ids.values().next().value!);
    }
  }

  /** Live jobs with `job`'s fingerprint: of its path, with its size, mtime and target. */
  function sameAs(job: QueuedJob): string[] {
    const ids = fingerprints.get(job.path);
    if (ids === undefined) return [];
    const key = fingerprintOf(job);
    return [...(typeof ids === 'string' ? [ids] : ids)].filter((id) => {
      const other = byId.get(id);
      return other !== undefined && fingerprintOf(other) === key;
    });
  }

  function makeJob(
    path: string,
    info: Stats,
    root: string | undefined,
    target: UploadTarget,
    growing: boolean,
  ): QueuedJob {
    const relativePath = root ? relativeTo(root, path) : undefined;
    return queuedJob({
      id: newJobId(),
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
      ...(growing ? { growing: true } : {}),
      addedAt: Date.now(),
    });
  }

  const queue: UploadQueue = {
    async restore() {
      const state = await persistence.load();
      jobs = [];
      byId.clear();
      fingerprints.clear();
      for (const job of state?.jobs ?? []) {
        // A job that was running when the process died resumes: it goes back to the queue.
        // Copied: what the port loaded stays the port's.
        const restored = queuedJob(job.status === 'running' ? { ...job, status: 'queued', phase: undefined } : job);
        jobs.push(restored);
        index(restored);
      }
      reposition();
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
          const files = info.isDirectory()
            ? withStats(walk(absolute), { blocking: options.blockingStats })
            : [[absolute, info] as const];
          const root = info.isDirectory() ? resolve(absolute, '..') : undefined;
          for await (const [file, fileInfo] of files) {
            const job = makeJob(file, fileInfo, root, target, addOptions.growing === true);
            const same = sameAs(job);
            if (same.length > 0 && !addOptions.allowDuplicates) {
              result.duplicates.push(file);
              for (const id of same) if (byId.get(id)?.status === 'completed') completed.add(id);
              continue;
            }
            position.set(job.id, jobs.push(job) - 1);
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
      const next = patchedJob(job, patch);
      byId.set(id, next);
      jobs[position.get(id)!] = next;
      if (rekey) index(next);
      if ('status' in patch || 'target' in patch) order.refresh(next);
      saver.changed(id, !Object.keys(patch).every((key) => progressFields.has(key)));
      changed([id]);
      return next;
    },

    remove(id) {
      const job = byId.get(id);
      if (!job) return;
      jobs = jobs.filter((item) => item.id !== id);
      reposition();
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
      reposition();
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

    move(id, index) {
      const from = position.get(id);
      if (from === undefined) return;
      const [job] = jobs.splice(from, 1);
      const to = Math.max(0, Math.min(index, jobs.length));
      jobs.splice(to, 0, job!);
      reposition();
      order.moved(jobs, to);
      saver.moved();
      changed('all');
    },

    nextQueued: (skip, usable) => order.next(skip, usable),
    flush: () => saver.flush(),
  };
  return queue;
}
