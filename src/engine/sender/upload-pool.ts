import type { UploadJob } from '../../shared/upload-job';
import { createProgressHub, createSpeedEstimator, type ProgressHub, type SpeedEstimator } from '../progress';
import { createBandwidthLimiter, type BandwidthLimiter } from './bandwidth-limiter';
import { defaultBulkLimits, type BulkLimits } from './bulk-batch';
import { createBulkClient } from './bulk-client';
import { createBulkSlots } from './bulk-slots';
import { createChunkHasher } from './chunk-hasher';
import type { TransferSettings } from './file-transfer';
import { runJob, type JobOutcome, type JobRunContext, type StopReason } from './job-runner';
import { createPoolGate } from './pool-gate';
import { createQueueTotals, type QueueTotals, type QueueTotalsTracker } from './queue-totals';
import { createLinkMeters } from './request-size';
import type { TusClient } from './tus-client';
import type { QueuedJob, UploadQueue } from './upload-queue';

export interface PoolOptions extends Partial<TransferSettings> {
  /** Files at once. */
  concurrency?: number;
  /** Bytes per second for the whole pool; null = unlimited. */
  rateLimit?: number | null;
  retryDelays?: number[];
  maxAttempts?: number;
  /** How often an offline target is probed. */
  probeIntervalMs?: number;
  hub?: ProgressHub;
  /**
   * Small files to Ferry's receiver travel many to a request (`bulk-upload`, bulk-batch.ts), each in
   * one pool slot; false sends each file in requests of its own.
   */
  bulk?: Partial<BulkLimits> | false;
}

export interface UploadPool {
  readonly hub: ProgressHub;
  readonly limiter: BandwidthLimiter;
  start(): void;
  pause(id?: string): void;
  resume(id?: string): void;
  cancel(id?: string): Promise<void>;
  retry(id?: string): void;
  /**
   * Queues completed jobs again to confirm the target still has them (HEAD): there, they complete
   * at once as `already-there`; gone (404, 410), they are sent again.
   */
  recheck(id?: string): void;
  /** How the job's last completed run in this pool ended; undefined until one has. */
  outcome(id: string): JobOutcome | undefined;
  setConcurrency(files: number): void;
  setRateLimit(bytesPerSecond: number | null): void;
  /** Jobs transferring right now. */
  activeCount(): number;
  /** Ids of the jobs transferring right now: what a progress tick looks at, without walking the queue. */
  activeIds(): string[];
  /**
   * Totals over the queue (or the jobs `include` picks), with smoothed speed and ETA over total bytes.
   * Kept up to date from the queue's changes, so a call costs O(1), not a walk of the queue (the first
   * call with an `include` counts once). Pass the same `include` function each time, one that decides
   * from the job alone: its totals and speed estimate live with it.
   */
  overall(include?: (job: QueuedJob) => boolean): OverallProgress;
  /** Resolves when nothing is queued or running. */
  whenIdle(): Promise<void>;
  /** Stops every transfer (jobs stay resumable) and persists the queue. */
  close(): Promise<void>;
}

export interface OverallProgress extends QueueTotals {
  bytesPerSecond: number;
  etaSeconds: number | null;
}

/** The default filter; one instance, since each filter keeps its own speed estimate. */
const everyJob = () => true;

export function createUploadPool(queue: UploadQueue, client: TusClient, options: PoolOptions = {}): UploadPool {
  let concurrency = options.concurrency ?? 4;
  const settings: TransferSettings = {
    chunkSize: options.chunkSize ?? 8 * 1024 * 1024,
    parallel: options.parallel ?? 1,
    stallTimeoutMs: options.stallTimeoutMs ?? 30_000,
    checksum: options.checksum ?? true,
    growingQuietMs: options.growingQuietMs ?? 10_000,
  };
  const hub = options.hub ?? createProgressHub();
  const limiter = createBandwidthLimiter(options.rateLimit ?? null);
  const hasher = createChunkHasher();
  const active = new Map<string, AbortController>();
  /** The runs in flight, so `close` can wait for them to unwind. */
  const runs = new Set<Promise<void>>();
  /** Per `include` filter: its running totals and its speed estimate. */
  const overalls = new Map<(job: QueuedJob) => boolean, { totals: QueueTotalsTracker; speed: SpeedEstimator }>();
  let started = false;
  let closed = false;
  let wakeTimer: NodeJS.Timeout | undefined;
  let wakeAt = 0;
  let idleWaiters: (() => void)[] = [];
  const outcomes = new Map<string, JobOutcome>();
  const gate = createPoolGate({
    client,
    probeIntervalMs: options.probeIntervalMs,
    isClosed: () => closed,
    onBackOnline: () => pump(),
  });
  const links = createLinkMeters();
  // Its `landed` query may wait a moment on the receiver for parts still arriving there.
  const bulk =
    options.bulk === false
      ? undefined
      : createBulkClient({ controlTimeoutMs: Math.max(5_000, settings.stallTimeoutMs) });

  /** Totals for `include`: followed from the queue's changes while the pool is open, counted once after. */
  function totalsOf(include: (job: QueuedJob) => boolean): { totals: QueueTotals; speed: SpeedEstimator } {
    let overall = overalls.get(include);
    if (closed) {
      const once = createQueueTotals(queue, include);
      once.stop();
      return { totals: once.current(), speed: overall?.speed ?? createSpeedEstimator() };
    }
    if (!overall)
      overalls.set(include, (overall = { totals: createQueueTotals(queue, include), speed: createSpeedEstimator() }));
    return { totals: overall.totals.current(), speed: overall.speed };
  }

  const onOutcome = (id: string, outcome: JobOutcome) => void outcomes.set(id, outcome);
  // Bytes a resume found already stored count toward the totals, not toward any overall speed.
  const onStoredBefore = (job: QueuedJob, bytes: number) => {
    for (const [include, overall] of overalls) if (include(job)) overall.speed.skip(bytes);
  };
  const runContext: JobRunContext = {
    queue,
    client,
    hasher,
    limiter,
    hub,
    gate,
    links,
    settings: () => settings,
    retryDelays: options.retryDelays,
    maxAttempts: options.maxAttempts,
    onOutcome,
    onStoredBefore,
    bulk,
  };
  /** Lets a job go from `active`, unless another run has taken it since (a job handed back by a batch). */
  const release = (id: string, controller: AbortController) => {
    if (active.get(id) === controller) active.delete(id);
  };
  const bulkSlots =
    bulk &&
    createBulkSlots({
      queue,
      gate,
      active,
      release,
      runContext,
      bulk,
      limits: { ...defaultBulkLimits, ...(options.bulk || {}) },
    });

  const update = (job: QueuedJob, patch: Partial<UploadJob>) => queue.update(job.id, patch);

  function settleIdle() {
    if (active.size > 0 || queue.nextQueued(new Set())) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Wakes the pump when the soonest target pause ends. */
  function wakeIn(ms: number) {
    if (wakeTimer && wakeAt <= Date.now() + ms) return;
    if (wakeTimer) clearTimeout(wakeTimer);
    wakeAt = Date.now() + ms;
    wakeTimer = setTimeout(() => ((wakeTimer = undefined), pump()), ms);
  }

  /** The next queued job whose target is neither offline nor paused; a paused one wakes the pump when it may go. */
  function nextRunnable(): QueuedJob | undefined {
    let soonest = Infinity;
    // Asked once per target with queued jobs, not per job: starting a job never walks the queue.
    const job = queue.nextQueued(active, (target) => {
      if (gate.isOffline(target)) return false;
      const wait = gate.pauseRemaining(target);
      if (wait > 0) soonest = Math.min(soonest, wait);
      return wait <= 0;
    });
    if (!job && soonest < Infinity) wakeIn(soonest);
    return job;
  }

  async function runSlot(first: QueuedJob, controller: AbortController): Promise<void> {
    const batch = await bulkSlots?.batchFor(first, controller);
    if (!batch) return runJob(runContext, queue.get(first.id) ?? first, controller.signal);
    await bulkSlots!.run(batch);
  }

  function pump() {
    if (!started || closed) return settleIdle();
    // A slot is one request at a time: one file, or a batch of small ones.
    while (runs.size < concurrency) {
      const job = nextRunnable();
      if (!job) break;
      const controller = new AbortController();
      active.set(job.id, controller);
      const run = runSlot(job, controller).finally(() => {
        release(job.id, controller);
        runs.delete(run);
        pump();
      });
      runs.add(run);
    }
    settleIdle();
  }

  const select = (id?: string) =>
    id === undefined ? [...queue.list()] : [queue.get(id)].filter((job): job is QueuedJob => job !== undefined);

  return {
    hub,
    limiter,
    start() {
      started = true;
      pump();
    },
    pause(id) {
      for (const job of select(id)) {
        if (job.status !== 'queued' && job.status !== 'running') continue;
        // Marked at once, not when the transfer has unwound: a resume right after must see it.
        update(job, { status: 'paused', phase: undefined });
        hub.transition(job.id, 'paused');
        active.get(job.id)?.abort({ stop: 'pause' } satisfies StopReason);
      }
    },
    resume(id) {
      for (const job of select(id)) if (job.status === 'paused') update(job, { status: 'queued', phase: undefined });
      pump();
    },
    async cancel(id) {
      for (const job of select(id)) {
        if (job.status === 'completed' || job.status === 'canceled') continue;
        const controller = active.get(job.id);
        if (controller) controller.abort({ stop: 'cancel' } satisfies StopReason);
        else {
          update(job, { status: 'canceled', phase: undefined });
          hub.transition(job.id, 'terminated', { message: 'Canceled' });
        }
        const { uploadUrl, parts } = queue.get(job.id) ?? job;
        for (const url of [uploadUrl, ...(parts ?? []).map((part) => part.url)])
          if (url) await client.terminate(job.target, url).catch(() => undefined);
        update(job, { uploadUrl: undefined, parts: undefined, sha256: undefined });
      }
      pump();
    },
    retry(id) {
      for (const job of select(id)) {
        if (job.status !== 'failed' && job.status !== 'canceled') continue;
        // The hub keeps the job: its next run is a new attempt in the same stream (seq goes on).
        update(job, { status: 'queued', phase: undefined, error: undefined, attempts: 0 });
      }
      pump();
    },
    recheck(id) {
      for (const job of select(id)) {
        // A file landed by a bulk request has no upload, only its key (its sha256): bulk-landed.ts asks for it.
        const bulkLanded = job.sha256 !== undefined && job.finishedAt !== undefined;
        if (job.status !== 'completed' || (!job.uploadUrl && !job.parts && !bulkLanded)) continue;
        outcomes.delete(job.id);
        update(job, { status: 'queued', phase: undefined, error: undefined, attempts: 0 });
      }
      pump();
    },
    outcome: (id) => outcomes.get(id),
    setConcurrency(files) {
      concurrency = Math.max(1, Math.floor(files));
      pump();
    },
    setRateLimit(bytesPerSecond) {
      limiter.setRate(bytesPerSecond);
    },
    activeCount: () => active.size,
    activeIds: () => [...active.keys()],
    overall(include = everyJob) {
      // One estimator over total bytes sent: a steady speed between the receivers' answers, and a
      // steady ETA even as files start and finish.
      const { totals, speed } = totalsOf(include);
      speed.sample(totals.sent);
      return {
        ...totals,
        bytesPerSecond: speed.bytesPerSecond(),
        etaSeconds: speed.etaSeconds(totals.size - totals.acknowledged),
      };
    },
    whenIdle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        settleIdle();
      });
    },
    async close() {
      closed = true;
      if (wakeTimer) clearTimeout(wakeTimer);
      for (const controller of active.values()) controller.abort({ stop: 'close' } satisfies StopReason);
      await Promise.allSettled(runs);
      for (const { totals } of overalls.values()) totals.stop();
      await queue.flush();
      client.close();
      bulk?.close();
      await bulkSlots?.close();
      await hasher.close();
    },
  };
}
