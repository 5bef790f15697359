import { bytesSent } from '../../shared/upload-job';
import type { QueuedJob, UploadQueue } from './upload-queue';

/** Files and bytes over the jobs counted; canceled ones are not. */
export interface QueueTotals {
  files: number;
  completed: number;
  failed: number;
  size: number;
  acknowledged: number;
  /** Bytes that have left, stored or not yet: at least `acknowledged`. */
  sent: number;
  /** Jobs paused by the user. */
  paused: number;
  /** Jobs still to send or being sent (queued, running). */
  pending: number;
}

export interface QueueTotalsTracker {
  /** The totals now: read in O(1), however long the queue. */
  current(): QueueTotals;
  stop(): void;
}

const zero = (): QueueTotals => ({
  files: 0,
  completed: 0,
  failed: 0,
  size: 0,
  acknowledged: 0,
  sent: 0,
  paused: 0,
  pending: 0,
});

/**
 * Totals over the queue (or the jobs `include` picks), kept from its change stream: a change costs
 * O(jobs changed), not a walk of the queue. Each counted job is kept as it was counted, which is safe
 * because the queue replaces jobs rather than changing them, so its share can be taken back exactly.
 * Only `'all'` (a restore, a reorder) counts everything again. `include` decides from the job alone.
 */
export function createQueueTotals(
  queue: Pick<UploadQueue, 'list' | 'get' | 'onChange'>,
  include: (job: QueuedJob) => boolean,
): QueueTotalsTracker {
  const counted = new Map<string, QueuedJob>();
  let totals = zero();

  function tally(job: QueuedJob, sign: 1 | -1) {
    totals.files += sign;
    totals.size += sign * job.size;
    totals.acknowledged += sign * job.acknowledged;
    totals.sent += sign * bytesSent(job);
    if (job.status === 'completed') totals.completed += sign;
    if (job.status === 'failed') totals.failed += sign;
    if (job.status === 'paused') totals.paused += sign;
    if (job.status === 'queued' || job.status === 'running') totals.pending += sign;
  }

  const counts = (job: QueuedJob | undefined): job is QueuedJob =>
    job !== undefined && job.status !== 'canceled' && include(job);

  function recount() {
    counted.clear();
    totals = zero();
    for (const job of queue.list()) {
      if (!counts(job)) continue;
      counted.set(job.id, job);
      tally(job, 1);
    }
  }

  function refresh(id: string) {
    const before = counted.get(id);
    if (before) tally(before, -1);
    const now = queue.get(id);
    // Overwritten in place rather than deleted and added: a job changes many times a second.
    if (counts(now)) {
      counted.set(id, now);
      tally(now, 1);
    } else if (before) counted.delete(id);
  }

  recount();
  const stop = queue.onChange((ids) => {
    if (ids === 'all') recount();
    else for (const id of ids) refresh(id);
  });
  return { current: () => ({ ...totals }), stop };
}
