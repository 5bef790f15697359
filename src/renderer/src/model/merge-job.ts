import type { JobView } from '../../../shared/ipc/job-view';
import type { ProgressEvent } from '../../../shared/progress-event';
import type { PrimaryAction, RowModel, RowState } from './row-model';
import { splitFileName, splitFolder } from './split-text';

/** The pool owns the state; the phase refines a running (or offline-queued) job. */
export function rowStateOf(job: Pick<JobView, 'status' | 'phase' | 'size'>, stored: number): RowState {
  switch (job.status) {
    case 'completed':
      return 'done';
    case 'failed':
      return 'failed';
    case 'canceled':
      return 'canceled';
    case 'paused':
      return 'paused';
    case 'queued':
      if (job.phase === 'offline' || job.phase === 'waiting') return 'waiting';
      if (job.phase === 'retrying') return 'retrying';
      return 'queued';
    case 'running':
      if (job.phase === 'stalled') return 'stalled';
      if (job.phase === 'retrying') return 'retrying';
      if (job.phase === 'waiting' || job.phase === 'offline') return 'waiting';
      if (job.phase === 'finalizing') return 'finalizing';
      // Every byte is stored but the pool has not closed the job: the target is checking it.
      return job.size > 0 && stored >= job.size ? 'finalizing' : 'uploading';
  }
}

function primaryOf(state: RowState): PrimaryAction {
  if (state === 'paused') return 'resume';
  if (state === 'failed' || state === 'canceled') return 'retry';
  if (state === 'done' || state === 'finalizing') return 'none';
  return 'pause';
}

/**
 * The receiver's stored offset for this job, when the event is about the job's upload on the
 * embedded receiver. It counts bytes safely on disk, so it can run ahead of the pool's last
 * acknowledgement, but it never exceeds the file and never takes the row backwards.
 */
function storedBytes(job: JobView, event: ProgressEvent | undefined): number {
  if (job.status === 'completed') return job.size;
  const acknowledged = Math.min(job.acknowledged, job.size);
  if (!event || job.receiverUploadId === undefined || event.uploadId !== job.receiverUploadId) return acknowledged;
  return Math.max(acknowledged, Math.min(event.offset, job.size));
}

/** One row of the queue: pool state (IPC) merged with what the embedded receiver reports (/ws). */
export function mergeJobWithReceiver(job: JobView, event: ProgressEvent | undefined): RowModel {
  const stored = storedBytes(job, event);
  const state = rowStateOf(job, stored);
  const moving = state === 'uploading';
  const name = splitFileName(job.name);
  const folder = splitFolder(job.folder);
  const primary = primaryOf(state);
  return {
    id: job.id,
    name: job.name,
    nameHead: name.head,
    nameTail: name.tail,
    folder: job.folder,
    folderHead: folder.head,
    folderTail: folder.tail,
    size: job.size,
    stored,
    fraction: job.size > 0 ? stored / job.size : state === 'done' ? 1 : 0,
    state,
    phase: job.phase,
    bytesPerSecond: moving ? job.bytesPerSecond : 0,
    etaSeconds: moving ? job.etaSeconds : null,
    retryAt: state === 'retrying' || state === 'stalled' ? job.retryAt : undefined,
    error: state === 'failed' || state === 'waiting' ? job.error : undefined,
    primary,
    canPause: primary === 'pause',
    canResume: primary === 'resume',
    canRetry: primary === 'retry',
    canCancel: state !== 'done' && state !== 'canceled',
    finishedAt: job.finishedAt,
    sha256: state === 'done' ? job.sha256 : undefined,
    sha256Confirmed: state === 'done' && job.sha256Confirmed === true,
  };
}
