import type { UploadTarget } from '../../shared/upload-job';
import { bulkFeature } from './bulk-client';
import { sameTarget, type QueuedJob } from './queued-job';
import type { ServerCapabilities } from './tus-client';

/** What goes into one bulk request. */
export interface BulkLimits {
  /** Files above this go one per request (they gain little from company, and a break costs more). */
  maxFileBytes: number;
  maxFiles: number;
  /** Bytes of file content per request. */
  maxBytes: number;
}

// Measured with `npm run bench:sender` (docs/BENCHMARKS.md): past 64 files a request, the gain is noise.
export const defaultBulkLimits: BulkLimits = { maxFileBytes: 256 * 1024, maxFiles: 64, maxBytes: 8 * 1024 * 1024 };

/**
 * A job that may go in a bulk request: small, settled, and fresh: with no upload under way and no
 * sha256 yet (one with a sha256 may have gone in a request whose answer was lost: the per-file way
 * asks for its key first, see bulk-landed.ts).
 */
export function bulkEligible(job: QueuedJob, limits: BulkLimits, caps: ServerCapabilities): boolean {
  return (
    job.status === 'queued' &&
    !job.growing &&
    job.size <= limits.maxFileBytes &&
    (caps.maxSize === undefined || job.size <= caps.maxSize) &&
    job.uploadUrl === undefined &&
    job.parts === undefined &&
    job.sha256 === undefined
  );
}

export const takesBulk = (caps: ServerCapabilities) => caps.ferryFeatures.has(bulkFeature);

/**
 * The batch that starts with `first`: the queued jobs after it in queue order, to the same target,
 * while each one fits. `peek` names the next queued job to the target; `claim` takes it (from then on
 * `peek` passes it over). Stops at the first job that does not fit, so the queue order holds.
 */
export function claimBatch(
  first: QueuedJob,
  limits: BulkLimits,
  fits: (job: QueuedJob) => boolean,
  peek: (target: UploadTarget) => QueuedJob | undefined,
  claim: (job: QueuedJob) => void,
): QueuedJob[] {
  const batch = [first];
  let bytes = first.size;
  while (batch.length < limits.maxFiles) {
    const job = peek(first.target);
    if (!job || !sameTarget(job.target, first.target) || !fits(job) || bytes + job.size > limits.maxBytes) break;
    claim(job);
    batch.push(job);
    bytes += job.size;
  }
  return batch;
}
