import type { QueueSnapshot } from '../../../shared/ipc/contract';
import type { JobPatch, JobView, OverallView } from '../../../shared/ipc/job-view';
import type { PushPayload } from '../../../shared/ipc/contract';
import type { ProgressEvent } from '../../../shared/progress-event';
import { mergeJobWithReceiver } from './merge-job';
import type { ReceiverEvents } from './receiver-events';
import type { RowModel, RowState } from './row-model';

/** The pool's jobs as the window last heard of them, in queue order. */
export interface QueueData {
  readonly order: readonly string[];
  readonly jobs: ReadonlyMap<string, JobView>;
  readonly overall: OverallView;
}

export const emptyOverall: OverallView = {
  files: 0,
  completed: 0,
  failed: 0,
  active: 0,
  size: 0,
  acknowledged: 0,
  bytesPerSecond: 0,
  etaSeconds: null,
};
export const emptyQueue: QueueData = { order: [], jobs: new Map(), overall: emptyOverall };

export function queueFromSnapshot(snapshot: QueueSnapshot): QueueData {
  const jobs = new Map(snapshot.jobs.map((job) => [job.id, job]));
  return { order: [...jobs.keys()], jobs, overall: snapshot.overall };
}

/** A new view: the patch's fields over the old one's, without the fields it cleared. */
export function patchedView(before: JobView, patch: JobPatch): JobView {
  const { cleared, ...fields } = patch;
  if (!cleared) return { ...before, ...fields };
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(before))
    if (!(cleared as readonly string[]).includes(key)) kept[key] = value;
  return { ...kept, ...fields } as JobView;
}

/**
 * Applies one batched `uploads:changed`: new jobs go last, changed ones get their patch (a new
 * object, so rows see the change), removed ones go.
 */
export function applyQueueChange(data: QueueData, change: PushPayload<'uploads:changed'>): QueueData {
  const jobs = new Map(data.jobs);
  return { order: foldQueueChange(jobs, data.order, change), jobs, overall: change.overall };
}

/**
 * `applyQueueChange` on a map its owner keeps private, changed in place (a push every 100 ms would
 * otherwise copy 10,000 jobs). Returns the order: the same array unless jobs were added or removed.
 */
export function foldQueueChange(
  jobs: Map<string, JobView>,
  order: readonly string[],
  change: PushPayload<'uploads:changed'>,
): readonly string[] {
  let next = order;
  const appended: string[] = [];
  for (const job of change.jobs) {
    if (!jobs.has(job.id)) appended.push(job.id);
    jobs.set(job.id, job);
  }
  for (const patch of change.patches ?? []) {
    const before = jobs.get(patch.id);
    if (before) jobs.set(patch.id, patchedView(before, patch));
  }
  if (change.removed.length > 0) {
    const removed = new Set(change.removed);
    for (const id of removed) jobs.delete(id);
    next = next.filter((id) => !removed.has(id));
  }
  if (appended.length > 0) next = [...next, ...appended.filter((id) => jobs.has(id))];
  return next;
}

export type StateCounts = Readonly<Record<RowState, number>>;

export interface QueueRows {
  readonly rows: readonly RowModel[];
  readonly counts: StateCounts;
  /** `overall` with stored bytes as the rows show them (receiver offsets included). */
  readonly overall: OverallView;
}

/** What changed since the last derivation, when the caller knows; without it every row is checked. */
export interface DeriveHint {
  readonly jobIds: ReadonlySet<string>;
  /** Receiver upload ids whose events changed. */
  readonly uploadIds: ReadonlySet<string>;
}

export type RowDeriver = (data: QueueData, events: ReceiverEvents, hint?: DeriveHint) => QueueRows;

interface CacheEntry {
  job: JobView;
  event: ProgressEvent | undefined;
  row: RowModel;
  index: number;
  /** Bytes this row shows beyond the pool's acknowledgement (counted into the overall). */
  extra: number;
}

const zeroCounts = (): Record<RowState, number> => ({
  queued: 0,
  uploading: 0,
  stalled: 0,
  retrying: 0,
  waiting: 0,
  paused: 0,
  finalizing: 0,
  done: 0,
  failed: 0,
  canceled: 0,
});
const extraOf = (job: JobView, row: RowModel) =>
  row.state === 'canceled' ? 0 : row.stored - Math.min(job.acknowledged, job.size);

/**
 * Derives the rows, reusing a row object while its job and event are the same objects (or merge to
 * an equal row), so memoized row components skip unchanged rows even when 10,000 are listed. With a
 * hint and the same order as last time only the hinted rows are looked at: a frame of progress costs
 * what changed, not what is listed. Unchanged rows keep the same array.
 */
export function createRowDeriver(): RowDeriver {
  let cache = new Map<string, CacheEntry>();
  /** Receiver upload id → job id, for hints about events. */
  const byUpload = new Map<string, string>();
  let last:
    | { order: readonly string[]; rows: readonly RowModel[]; counts: Record<RowState, number>; extra: number }
    | undefined;

  const full = (data: QueueData, events: ReceiverEvents) => {
    const previous = cache;
    cache = new Map();
    byUpload.clear();
    const counts = zeroCounts();
    const rows: RowModel[] = [];
    let extra = 0;
    let same = last !== undefined && last.rows.length === data.order.length;
    for (const id of data.order) {
      const job = data.jobs.get(id);
      if (!job) continue;
      const event = job.receiverUploadId === undefined ? undefined : events.get(job.receiverUploadId);
      const before = previous.get(id);
      let row: RowModel;
      if (before && before.job === job && before.event === event) row = before.row;
      else {
        const merged = mergeJobWithReceiver(job, event);
        row = before && sameRow(merged, before.row) ? before.row : merged;
      }
      const entry: CacheEntry = { job, event, row, index: rows.length, extra: extraOf(job, row) };
      if (same && last!.rows[entry.index] !== row) same = false;
      cache.set(id, entry);
      if (job.receiverUploadId !== undefined) byUpload.set(job.receiverUploadId, id);
      rows.push(row);
      counts[row.state] += 1;
      extra += entry.extra;
    }
    last = { order: data.order, rows: same && last!.rows.length === rows.length ? last!.rows : rows, counts, extra };
  };

  const update = (data: QueueData, events: ReceiverEvents, hint: DeriveHint) => {
    const state = last!;
    const ids = new Set(hint.jobIds);
    for (const uploadId of hint.uploadIds) {
      const id = byUpload.get(uploadId);
      if (id !== undefined) ids.add(id);
    }
    let rows: RowModel[] | undefined;
    for (const id of ids) {
      const entry = cache.get(id);
      const job = data.jobs.get(id);
      if (!entry || !job) continue;
      const event = job.receiverUploadId === undefined ? undefined : events.get(job.receiverUploadId);
      if (entry.job === job && entry.event === event) continue;
      if (entry.job.receiverUploadId !== job.receiverUploadId) {
        if (entry.job.receiverUploadId !== undefined) byUpload.delete(entry.job.receiverUploadId);
        if (job.receiverUploadId !== undefined) byUpload.set(job.receiverUploadId, id);
      }
      const merged = mergeJobWithReceiver(job, event);
      const row = sameRow(merged, entry.row) ? entry.row : merged;
      state.counts[entry.row.state] -= 1;
      state.counts[row.state] += 1;
      state.extra -= entry.extra;
      entry.extra = extraOf(job, row);
      state.extra += entry.extra;
      if (row !== entry.row) {
        rows ??= [...state.rows];
        rows[entry.index] = row;
      }
      entry.job = job;
      entry.event = event;
      entry.row = row;
    }
    if (rows) state.rows = rows;
  };

  return (data, events, hint) => {
    if (!hint || !last || last.order !== data.order) full(data, events);
    else update(data, events, hint);
    const { rows, counts, extra } = last!;
    const acknowledged = Math.min(data.overall.size, data.overall.acknowledged + Math.max(0, extra));
    return { rows, counts: { ...counts }, overall: { ...data.overall, acknowledged } };
  };
}

/** Rows are flat records of primitives (and an error pair): equal fields mean an equal row. */
function sameRow(a: RowModel, b: RowModel): boolean {
  for (const key in a) {
    const field = key as keyof RowModel;
    if (field === 'error') {
      if (a.error?.code !== b.error?.code || a.error?.message !== b.error?.message) return false;
    } else if (a[field] !== b[field]) return false;
  }
  return true;
}
