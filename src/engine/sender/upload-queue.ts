import { randomUUID } from 'node:crypto';
import { opendir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { fingerprintOf, type UploadJob, type UploadTarget } from '../../shared/upload-job';
import type { QueuePersistence } from './queue-persistence';

export interface AddResult {
  added: UploadJob[];
  /** Same path, size and mtime to the same target, already queued. */
  duplicates: string[];
  /** Paths that could not be read, with the reason. */
  skipped: { path: string; reason: string }[];
}

export interface UploadQueue {
  restore(): Promise<void>;
  /** Files and whole folders; folders keep their structure as `relativePath`. */
  /** `growing`: the files are still being written; each is followed until it stops growing. */
  add(paths: string[], target: UploadTarget, options?: { allowDuplicates?: boolean; growing?: boolean }): Promise<AddResult>;
  list(): readonly UploadJob[];
  get(id: string): UploadJob | undefined;
  update(id: string, patch: Partial<UploadJob>): UploadJob | undefined;
  remove(id: string): void;
  /** Moves a job to a position in the order (0 = first). */
  move(id: string, index: number): void;
  /** Next queued job in order. */
  nextQueued(skip: ReadonlySet<string>): UploadJob | undefined;
  /** Persists soon (coalesced); `flush` persists now. */
  markDirty(): void;
  flush(): Promise<void>;
}

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

export function createUploadQueue(persistence: QueuePersistence, options: { saveDelayMs?: number } = {}): UploadQueue {
  let jobs: UploadJob[] = [];
  const byId = new Map<string, UploadJob>();
  // One fingerprint can map to several live jobs (`allowDuplicates`); removing or canceling one of
  // them must not drop the duplicate guard for the others.
  const fingerprints = new Map<string, Set<string>>();
  let saveTimer: NodeJS.Timeout | undefined;
  let saving: Promise<void> = Promise.resolve();
  let queuedSave: Promise<void> | undefined;

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

  function flush(): Promise<void> {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = undefined;
    // Flushes asked for while a save runs share the one queued behind it: it reads the queue when it
    // starts, so it covers them all (the pool flushes on every new upload URL; 10,000 jobs are ~4 MB).
    if (queuedSave) return queuedSave;
    // Read `jobs` when this save runs, not now: `remove` swaps the array, and a save queued behind a
    // slow one would otherwise write the stale list.
    const next = saving.catch(() => undefined).then(() => {
      queuedSave = undefined;
      return persistence.save({ version: 1, jobs });
    });
    queuedSave = next;
    saving = next;
    return next;
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
    },

    async add(paths, target, addOptions = {}) {
      const result: AddResult = { added: [], duplicates: [], skipped: [] };
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
            if (fingerprints.has(fingerprintOf(job)) && !addOptions.allowDuplicates) {
              result.duplicates.push(file);
              continue;
            }
            jobs.push(job);
            index(job);
            result.added.push(job);
          }
        } catch (error) {
          result.skipped.push({ path: absolute, reason: (error as Error).message });
        }
      }
      if (result.added.length > 0) await flush();
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
      queue.markDirty();
      return job;
    },

    remove(id) {
      const job = byId.get(id);
      if (!job) return;
      jobs = jobs.filter((item) => item.id !== id);
      byId.delete(id);
      unindexFingerprint(job);
      queue.markDirty();
    },

    move(id, position) {
      const from = jobs.findIndex((job) => job.id === id);
      if (from < 0) return;
      const [job] = jobs.splice(from, 1);
      jobs.splice(Math.max(0, Math.min(position, jobs.length)), 0, job!);
      queue.markDirty();
    },

    nextQueued(skip) {
      return jobs.find((job) => job.status === 'queued' && !skip.has(job.id));
    },

    markDirty() {
      saveTimer ??= setTimeout(() => void flush().catch(() => undefined), options.saveDelayMs ?? 500);
    },

    flush,
  };
  return queue;
}
