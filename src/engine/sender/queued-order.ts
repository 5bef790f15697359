import type { UploadJob, UploadTarget } from '../../shared/upload-job';

/** Something that says whether an id is to be passed over (a Set, a Map). */
export interface Skip {
  has(id: string): boolean;
}

/**
 * The queued jobs in queue order, so the next one is found without walking the queue: every job has
 * a rank that sorts as the queue does (a move gives it one between its new neighbours), and the
 * queued ones sit in a min-heap per target endpoint. Entries are dropped lazily: one whose job is
 * no longer queued, moved or retargeted is popped when it reaches the top. A lookup reads the heads
 * of a handful of heaps (one per target), amortized O(log n).
 */
export interface QueuedOrder {
  /** Ranks every job in this order (a restore). */
  reset(jobs: readonly UploadJob[]): void;
  /** A job added at the end of the queue. */
  append(job: UploadJob): void;
  /** The job's status or target may have changed. */
  refresh(job: UploadJob): void;
  /** `jobs[index]` was just moved there. */
  moved(jobs: readonly UploadJob[], index: number): void;
  forget(id: string): void;
  /** The first queued job in order not in `skip`, among targets `usable` accepts (all without it). */
  next(skip: Skip, usable?: (target: UploadTarget) => boolean): UploadJob | undefined;
}

interface Entry {
  rank: number;
  id: string;
  endpoint: string;
}

/** Room between neighbours' ranks; a move takes the middle, and ranks are laid out again when it runs out. */
const spacing = 1024;

export function createQueuedOrder(get: (id: string) => UploadJob | undefined): QueuedOrder {
  const ranks = new Map<string, number>();
  let highest = -spacing;
  const heaps = new Map<string, Entry[]>();
  /** Each job's latest entry: any other entry of it in a heap is stale. */
  const latest = new Map<string, Entry>();

  function enter(job: UploadJob) {
    if (job.status !== 'queued') return;
    const rank = ranks.get(job.id);
    if (rank === undefined) return;
    const had = latest.get(job.id);
    if (had && had.rank === rank && had.endpoint === job.target.endpoint) return;
    const entry = { rank, id: job.id, endpoint: job.target.endpoint };
    latest.set(job.id, entry);
    let heap = heaps.get(entry.endpoint);
    if (!heap) heaps.set(entry.endpoint, (heap = []));
    push(heap, entry);
  }

  const live = (entry: Entry) => {
    if (latest.get(entry.id) !== entry) return undefined;
    const job = get(entry.id);
    return job && job.status === 'queued' && job.target.endpoint === entry.endpoint ? job : undefined;
  };

  function drop(heap: Entry[]) {
    const entry = pop(heap)!;
    if (latest.get(entry.id) === entry) latest.delete(entry.id);
  }

  /** The heap's first live entry not skipped; skipped ones are put back. */
  function firstOf(heap: Entry[], skip: Skip): { entry: Entry; job: UploadJob } | undefined {
    const held: Entry[] = [];
    let found: { entry: Entry; job: UploadJob } | undefined;
    while (heap.length > 0 && !found) {
      const top = heap[0]!;
      const job = live(top);
      if (!job) drop(heap);
      else if (skip.has(top.id)) held.push(pop(heap)!);
      else found = { entry: top, job };
    }
    for (const entry of held) push(heap, entry);
    return found;
  }

  const order: QueuedOrder = {
    reset(jobs) {
      ranks.clear();
      heaps.clear();
      latest.clear();
      jobs.forEach((job, index) => ranks.set(job.id, index * spacing));
      highest = (jobs.length - 1) * spacing;
      // In rank order, each push lands at the bottom of its heap: O(n) in all.
      for (const job of jobs) enter(job);
    },
    append(job) {
      highest += spacing;
      ranks.set(job.id, highest);
      enter(job);
    },
    refresh: enter,
    moved(jobs, index) {
      const job = jobs[index]!;
      const before = index > 0 ? ranks.get(jobs[index - 1]!.id)! : undefined;
      const after = index + 1 < jobs.length ? ranks.get(jobs[index + 1]!.id)! : undefined;
      const rank =
        before === undefined
          ? after === undefined
            ? 0
            : after - spacing
          : after === undefined
            ? before + spacing
            : (before + after) / 2;
      if ((before !== undefined && rank <= before) || (after !== undefined && rank >= after)) return order.reset(jobs);
      ranks.set(job.id, rank);
      highest = Math.max(highest, rank);
      enter(job);
    },
    forget(id) {
      ranks.delete(id);
      latest.delete(id);
    },
    next(skip, usable) {
      let best: { entry: Entry; job: UploadJob } | undefined;
      for (const [endpoint, heap] of heaps) {
        while (heap.length > 0 && !live(heap[0]!)) drop(heap);
        if (heap.length === 0) {
          heaps.delete(endpoint);
          continue;
        }
        if (best && heap[0]!.rank >= best.entry.rank) continue;
        if (usable && !usable(get(heap[0]!.id)!.target)) continue;
        const found = firstOf(heap, skip);
        if (found && (!best || found.entry.rank < best.entry.rank)) best = found;
      }
      return best?.job;
    },
  };
  return order;
}

function push(heap: Entry[], entry: Entry) {
  let index = heap.push(entry) - 1;
  while (index > 0) {
    const parent = (index - 1) >> 1;
    if (heap[parent]!.rank <= entry.rank) break;
    heap[index] = heap[parent]!;
    index = parent;
  }
  heap[index] = entry;
}

function pop(heap: Entry[]): Entry | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length === 0 || !last) return top;
  let index = 0;
  for (;;) {
    const left = 2 * index + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child = right < heap.length && heap[right]!.rank < heap[left]!.rank ? right : left;
    if (heap[child]!.rank >= last.rank) break;
    heap[index] = heap[child]!;
    index = child;
  }
  heap[index] = last;
  return top;
}
