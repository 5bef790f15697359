import type { UploadPool } from '../../engine/sender/upload-pool';
import type { UploadQueue } from '../../engine/sender/upload-queue';
import type { UploadJob, UploadTarget } from '../../shared/upload-job';

function moveUrl(url: string | undefined, to: string): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    return `${to}${parsed.pathname}${parsed.search}`;
  } catch {
    return url;
  }
}

/**
 * Points jobs sent to an earlier embedded receiver at the current one. The token changes every
 * launch and the port can change too; the upload ids stay valid while the receive folder (which
 * holds the receiver's state) is the same, and a 404 on resume starts a new upload otherwise.
 * Running jobs pause and resume around the change: a transfer keeps the target it started with.
 */
export function retargetEmbeddedJobs(
  queue: UploadQueue,
  pool: Pick<UploadPool, 'pause' | 'resume'>,
  from: ReadonlySet<string>,
  target: UploadTarget,
): number {
  const origin = new URL(target.endpoint).origin;
  // A finished job needs no token; it is moved only so duplicate detection keeps seeing it.
  const stale = (job: UploadJob) =>
    from.has(job.target.endpoint) &&
    JSON.stringify(job.target) !== JSON.stringify(target) &&
    (job.status !== 'completed' || job.target.endpoint !== target.endpoint);
  const jobs = queue.list().filter(stale);
  const running = jobs.filter((job) => job.status === 'running');
  for (const job of running) pool.pause(job.id);
  for (const job of jobs) {
    const moved = job.target.endpoint !== target.endpoint;
    queue.update(job.id, {
      target,
      ...(moved
        ? {
            uploadUrl: moveUrl(job.uploadUrl, origin),
            parts: job.parts?.map((part) => ({ ...part, url: moveUrl(part.url, origin) })),
          }
        : {}),
    });
  }
  for (const job of running) pool.resume(job.id);
  return jobs.length;
}
