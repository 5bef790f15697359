import type { OverallProgress } from '../../engine/sender/upload-pool';
import type { UploadQueue } from '../../engine/sender/upload-queue';
import type { PushPayload } from '../../shared/ipc/contract';
import type { JobView } from '../../shared/ipc/job-view';
import type { UploadJob } from '../../shared/upload-job';
import { toOverallView } from './job-view';

export type UploadsChanged = PushPayload<'uploads:changed'>;

export interface ProgressBatcherDeps {
  queue: Pick<UploadQueue, 'onChange' | 'list' | 'get'>;
  pool: { overall(): OverallProgress; activeCount(): number; activeIds(): Iterable<string> };
  push(message: UploadsChanged): void;
  toView(job: UploadJob): JobView;
  intervalMs?: number;
}

export interface ProgressBatcher {
  /** Sends what changed now instead of at the next tick. */
  flush(): void;
  stop(): void;
}

/**
 * Turns the queue's many small changes (progress patches arrive hundreds of times a second) into at
 * most one `uploads:changed` per interval, carrying only the jobs that changed. A tick costs
 * O(changed + active): the jobs the pool runs are looked at too (their speed and ETA come from the
 * progress hub), and the queue is walked only after a restore or a reorder (`'all'`).
 */
export function createProgressBatcher(deps: ProgressBatcherDeps): ProgressBatcher {
  const changed = new Set<string>();
  let everything = false;
  /** What was last sent for each active job, so an unchanged one is not sent again. */
  const lastSent = new Map<string, string>();

  const unsubscribe = deps.queue.onChange((ids) => {
    if (ids === 'all') everything = true;
    else for (const id of ids) changed.add(id);
  });

  function collect(): { jobs: JobView[]; removed: string[] } {
    const jobs: JobView[] = [];
    const removed: string[] = [];
    if (everything) {
      for (const job of deps.queue.list()) jobs.push(deps.toView(job));
      for (const id of changed) if (!deps.queue.get(id)) removed.push(id);
      lastSent.clear();
      return { jobs, removed };
    }
    const running = new Set(deps.pool.activeIds());
    for (const id of new Set([...changed, ...running, ...lastSent.keys()])) {
      const job = deps.queue.get(id);
      if (!job) {
        lastSent.delete(id);
        if (changed.has(id)) removed.push(id);
        continue;
      }
      const view = deps.toView(job);
      const text = JSON.stringify(view);
      if (!changed.has(id) && lastSent.get(id) === text) continue;
      if (running.has(id)) lastSent.set(id, text);
      else lastSent.delete(id);
      jobs.push(view);
    }
    return { jobs, removed };
  }

  function flush() {
    const { jobs, removed } = collect();
    changed.clear();
    everything = false;
    if (jobs.length === 0 && removed.length === 0) return;
    deps.push({ jobs, removed, overall: toOverallView(deps.pool.overall(), deps.pool.activeCount()) });
  }

  const timer = setInterval(flush, deps.intervalMs ?? 100);
  timer.unref?.();

  return {
    flush,
    stop() {
      clearInterval(timer);
      unsubscribe();
    },
  };
}
