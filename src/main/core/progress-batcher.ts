import type { OverallProgress } from '../../engine/sender/upload-pool';
import type { UploadQueue } from '../../engine/sender/upload-queue';
import type { PushPayload } from '../../shared/ipc/contract';
import type { JobPatch, JobView, OverallView } from '../../shared/ipc/job-view';
import type { ProgressEvent } from '../../shared/progress-event';
import { toOverallView } from './job-view';
import type { WindowJobs } from './window-jobs';

export type UploadsPush = PushPayload<'uploads:changed'>;

/** One batch as main sees it: the whole views of the jobs that changed (what the desktop feedback reads). */
export interface UploadsChanged {
  jobs: JobView[];
  removed: string[];
  overall: OverallView;
}

export interface ProgressBatcherDeps {
  queue: Pick<UploadQueue, 'onChange' | 'list' | 'get'>;
  pool: { overall(): OverallProgress; activeCount(): number };
  /** The pool's progress hub: a job's speed and ETA change with its events. */
  hub: { subscribe(listener: (event: ProgressEvent) => void): () => void };
  window: WindowJobs;
  /** To the window. */
  push(push: UploadsPush): void;
  /** Once per batch, when its last push is out: the same jobs whole (notifications fold a batch's failures). */
  onBatch?(change: UploadsChanged): void;
  intervalMs?: number;
  /** Most jobs in one push; the rest of a batch follows in the next turns of the loop. */
  maxJobsPerPush?: number;
}

export interface ProgressBatcher {
  /** Sends everything that changed now instead of at the next tick. */
  flush(): void;
  stop(): void;
}

/**
 * Turns the queue's many small changes (progress patches arrive hundreds of times a second) into a
 * batch per interval, carrying only the jobs that changed: those the queue or the progress hub named,
 * never the whole queue but after a restore or a reorder (`'all'`). A job the window has is told by
 * the fields that changed. A large batch (a drop of thousands, a bulk answer settling many) goes out
 * in pushes of at most `maxJobsPerPush` jobs, one per turn, so no turn of main's loop carries it all.
 */
export function createProgressBatcher(deps: ProgressBatcherDeps): ProgressBatcher {
  const maxJobs = deps.maxJobsPerPush ?? 128;
  /** Named since the last tick. */
  let changed = new Set<string>();
  let everything = false;
  /** Taken at a tick, sent a push at a time. */
  let backlog = new Set<string>();
  let continuation: NodeJS.Immediate | undefined;
  let stopped = false;
  /** What the pushes of the batch under way told, whole (a job told twice counts as it was last). */
  const batchJobs = new Map<string, JobView>();
  const batchRemoved = new Set<string>();
  const overallNow = () => toOverallView(deps.pool.overall(), deps.pool.activeCount());

  const stopQueue = deps.queue.onChange((ids) => {
    if (ids === 'all') everything = true;
    else for (const id of ids) changed.add(id);
  });
  const stopHub = deps.hub.subscribe((event) => changed.add(event.uploadId));

  /** Moves what was named since the last tick behind what is still to send. */
  function take() {
    if (everything) {
      everything = false;
      for (const job of deps.queue.list()) backlog.add(job.id);
      for (const id of deps.window.known()) backlog.add(id);
    }
    if (backlog.size === 0) [backlog, changed] = [changed, backlog];
    else for (const id of changed) backlog.add(id);
    changed.clear();
  }

  /** One push of at most `limit` jobs from the backlog (none when it has nothing to tell). */
  function sendSome(limit: number): void {
    const jobs: JobView[] = [];
    const patches: JobPatch[] = [];
    const removed: string[] = [];
    let taken = 0;
    for (const id of backlog) {
      if (taken === limit) break;
      taken += 1;
      backlog.delete(id);
      const news = deps.window.tell(id, deps.queue.get(id));
      if (!news) continue;
      if (news.kind === 'removed') {
        removed.push(id);
        batchJobs.delete(id);
        batchRemoved.add(id);
        continue;
      }
      if (news.kind === 'added') jobs.push(news.view);
      else patches.push(news.patch);
      batchRemoved.delete(id);
      batchJobs.set(id, news.view);
    }
    let overall: OverallView | undefined;
    if (jobs.length > 0 || patches.length > 0 || removed.length > 0) {
      overall = overallNow();
      const push: UploadsPush = { jobs, removed, overall };
      if (patches.length > 0) push.patches = patches;
      deps.push(push);
    }
    if (backlog.size > 0 || (batchJobs.size === 0 && batchRemoved.size === 0)) return;
    const done = { jobs: [...batchJobs.values()], removed: [...batchRemoved], overall: overall ?? overallNow() };
    batchJobs.clear();
    batchRemoved.clear();
    deps.onBatch?.(done);
  }

  function continueLater() {
    if (continuation || stopped || backlog.size === 0) return;
    continuation = setImmediate(() => {
      continuation = undefined;
      sendSome(maxJobs);
      continueLater();
    });
  }

  function tick() {
    take();
    if (continuation) return;
    sendSome(maxJobs);
    continueLater();
  }

  const timer = setInterval(tick, deps.intervalMs ?? 100);
  timer.unref?.();

  return {
    flush() {
      take();
      while (backlog.size > 0) sendSome(maxJobs);
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      if (continuation) clearImmediate(continuation);
      continuation = undefined;
      stopQueue();
      stopHub();
    },
  };
}
