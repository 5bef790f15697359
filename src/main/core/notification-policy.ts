import type { JobView } from '../../shared/ipc/job-view';

export interface NotificationText {
  title: string;
  body: string;
}

export interface NotificationPolicy {
  /** The jobs one add (a drop, a pick) created: they finish together as one batch. */
  trackBatch(ids: readonly string[]): void;
  /** Takes one batched change; returns what to show (nothing when notifications are off). */
  observe(change: { jobs: readonly JobView[]; removed: readonly string[] }): NotificationText[];
}

interface Batch {
  pending: Set<string>;
  /** The first file sent, to name it when it is the only one. */
  firstSent?: string;
  completed: number;
  failed: number;
}

const terminal = new Set<JobView['status']>(['completed', 'failed', 'canceled']);
const plural = (count: number, one: string, many: string) => (count === 1 ? one : many.replace('#', String(count)));

/**
 * "Batch finished" once every job of a batch is done (completed, failed or canceled), and "file
 * failed" for each failure, folded into one note when many fail at once.
 */
export function createNotificationPolicy(options: {
  enabled: () => boolean;
  maxFailureNotes?: number;
}): NotificationPolicy {
  const maxFailureNotes = options.maxFailureNotes ?? 3;
  const batchOf = new Map<string, Batch>();
  /** Failures already told; a retried job that fails again is told again. */
  const toldFailed = new Set<string>();

  function settle(
    batch: Batch,
    id: string,
    status: 'completed' | 'failed' | 'gone',
    name?: string,
  ): NotificationText | undefined {
    if (!batch.pending.delete(id)) return undefined;
    batchOf.delete(id);
    if (status === 'completed') {
      batch.completed += 1;
      batch.firstSent ??= name;
    }
    if (status === 'failed') batch.failed += 1;
    if (batch.pending.size > 0 || batch.completed + batch.failed === 0) return undefined;
    if (batch.failed === 0) {
      const only = batch.completed === 1 ? batch.firstSent : undefined;
      return { title: 'Uploads finished', body: only ? `${only} was sent.` : `${batch.completed} files were sent.` };
    }
    return { title: 'Uploads finished with errors', body: `${batch.completed} sent, ${batch.failed} failed.` };
  }

  return {
    trackBatch(ids) {
      if (ids.length === 0) return;
      const batch: Batch = { pending: new Set(ids), completed: 0, failed: 0 };
      for (const id of ids) batchOf.set(id, batch);
    },
    observe({ jobs, removed }) {
      const notes: NotificationText[] = [];
      const failures: JobView[] = [];
      for (const job of jobs) {
        if (job.status === 'failed') {
          if (!toldFailed.has(job.id)) failures.push(job);
          toldFailed.add(job.id);
        } else toldFailed.delete(job.id);
        const batch = batchOf.get(job.id);
        if (!batch || !terminal.has(job.status)) continue;
        const note = settle(
          batch,
          job.id,
          job.status === 'canceled' ? 'gone' : (job.status as 'completed' | 'failed'),
          job.name,
        );
        if (note) notes.push(note);
      }
      for (const id of removed) {
        toldFailed.delete(id);
        const batch = batchOf.get(id);
        const note = batch && settle(batch, id, 'gone');
        if (note) notes.push(note);
      }
      if (failures.length > maxFailureNotes)
        notes.unshift({
          title: plural(failures.length, 'An upload failed', '# uploads failed'),
          body:
            failures
              .map((job) => job.name)
              .slice(0, 5)
              .join(', ') + (failures.length > 5 ? ', …' : ''),
        });
      else
        notes.unshift(
          ...failures.map((job) => ({ title: `${job.name} failed`, body: job.error?.message ?? 'The upload failed.' })),
        );
      return options.enabled() ? notes : [];
    },
  };
}
