import { posix, dirname } from 'node:path';
import type { OverallProgress } from '../../engine/sender/upload-pool';
import type { JobView, OverallView } from '../../shared/ipc/job-view';
import type { ProgressEvent } from '../../shared/progress-event';
import { bytesSent, type UploadJob } from '../../shared/upload-job';

export interface JobViewDeps {
  /** The pool's progress hub: speed and ETA per job. */
  hub: { get(uploadId: string): ProgressEvent | undefined };
  /** The embedded receiver's tus endpoint, or undefined while it is not running. */
  embeddedEndpoint: () => string | undefined;
}

const lastSegment = (url: string | undefined) =>
  url ? decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? '') || undefined : undefined;

/** The endpoint without credentials or query (a token in a query string must not reach the window). */
function displayEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '';
  }
}

/** The tus upload the receiver's /ws events are about: the whole upload, or its only part. */
function receiverUploadIdOf(job: UploadJob): string | undefined {
  try {
    return lastSegment(job.uploadUrl ?? (job.parts?.length === 1 ? job.parts[0]!.url : undefined));
  } catch {
    return undefined;
  }
}

export function createJobViewer(deps: JobViewDeps): (job: UploadJob) => JobView {
  // Jobs share a few endpoints: parse each once, not once per view (thousands per second in a drop).
  let shownFor: string | undefined;
  let shown = '';
  const endpointShown = (endpoint: string) => {
    if (endpoint !== shownFor) [shownFor, shown] = [endpoint, displayEndpoint(endpoint)];
    return shown;
  };
  return (job) => {
    const running = job.status === 'running';
    const event = running ? deps.hub.get(job.id) : undefined;
    const view: JobView = {
      id: job.id,
      name: job.name,
      // The tree inside a dropped folder, else the folder the file came from.
      folder: job.relativePath ? posix.dirname(job.relativePath).replace(/^\.$/, '') : dirname(job.path),
      size: job.size,
      status: job.status,
      acknowledged: job.acknowledged,
      sent: bytesSent(job),
      bytesPerSecond: event?.bytesPerSecond ?? 0,
      etaSeconds: event?.etaSeconds ?? null,
      attempts: job.attempts,
      endpoint: endpointShown(job.target.endpoint),
      addedAt: job.addedAt,
    };
    if (job.relativePath) view.relativePath = job.relativePath;
    if (job.phase) view.phase = job.phase;
    if (job.error) view.error = { code: job.error.code, message: job.error.message };
    if (job.finishedAt !== undefined) view.finishedAt = job.finishedAt;
    if (job.status === 'completed' && job.sha256) {
      view.sha256 = job.sha256;
      view.sha256Confirmed = job.sha256Confirmed === true;
    }
    // Only while the job waits to try again; a stale time from an earlier wait means nothing.
    if (job.retryAt !== undefined && (job.phase === 'retrying' || job.phase === 'stalled')) view.retryAt = job.retryAt;
    const embedded = deps.embeddedEndpoint();
    if (embedded !== undefined && job.target.endpoint === embedded) {
      const id = receiverUploadIdOf(job);
      if (id) view.receiverUploadId = id;
    }
    return view;
  };
}

export function toOverallView(overall: OverallProgress, active: number): OverallView {
  const { files, completed, failed, size, acknowledged, bytesPerSecond, etaSeconds } = overall;
  return { files, completed, failed, size, acknowledged, bytesPerSecond, etaSeconds, active };
}
