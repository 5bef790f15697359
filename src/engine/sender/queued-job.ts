import type { PartState, UploadJob, UploadTarget } from '../../shared/upload-job';

/**
 * A job as the queue hands it out: frozen, and replaced whole by `queue.update`, so every change goes
 * through the queue (and its change stream, its saver, its indexes). Holding one keeps a snapshot;
 * `queue.get` gives the job as it is now. Freezing costs a copy of a dozen fields per update, a few
 * tens of nanoseconds: cheap next to what a progress update does anyway.
 */
export type QueuedJob = Readonly<UploadJob>;

/**
 * One frozen copy per distinct target, shared by its jobs: a copy each would cost some 100 bytes per
 * job (10 MB for a queue of 100,000, and restored jobs each bring their own). Found by value, so a
 * caller changing its object later changes nothing here. Few targets ever exist; a queue that somehow
 * saw many starts the table over.
 */
const frozenTargets = new Map<string, UploadTarget>();

/** What makes two targets the same one: endpoint and headers, by value. */
export const targetKey = (target: UploadTarget) => JSON.stringify([target.endpoint, target.headers ?? null]);

/** Jobs of one target usually share its frozen copy, so the value check is rarely needed. */
export const sameTarget = (a: UploadTarget, b: UploadTarget) => a === b || targetKey(a) === targetKey(b);

function frozenTarget(target: UploadTarget): UploadTarget {
  const key = targetKey(target);
  let frozen = frozenTargets.get(key);
  if (!frozen) {
    frozen = Object.freeze({ ...target, ...(target.headers ? { headers: Object.freeze({ ...target.headers }) } : {}) });
    if (frozenTargets.size >= 256) frozenTargets.clear();
    frozenTargets.set(key, frozen);
  }
  return frozen;
}

const frozenParts = (parts: readonly PartState[]): PartState[] =>
  Object.freeze(parts.map((part) => Object.freeze({ ...part }))) as PartState[];

/**
 * `job` with `patch` applied, as a new frozen job. What the patch brings is copied, so a caller's
 * objects (a target shared by many jobs, a transfer's working parts) never become the queue's.
 */
export function patchedJob(job: QueuedJob, patch: Partial<UploadJob>): QueuedJob {
  const next: UploadJob = { ...job, ...patch };
  if (patch.target) next.target = frozenTarget(patch.target);
  if (patch.parts) next.parts = frozenParts(patch.parts);
  if (patch.error) next.error = Object.freeze({ ...patch.error });
  return Object.freeze(next);
}

/** A frozen copy of a job from outside the queue (a new one, or one loaded from disk). */
export function queuedJob(job: UploadJob): QueuedJob {
  const nested: Partial<UploadJob> = { target: job.target };
  if (job.parts) nested.parts = job.parts;
  if (job.error) nested.error = job.error;
  return patchedJob(job, nested);
}
