import type { UploadJob } from '../../shared/upload-job';
import { createProgressHub, createSpeedEstimator, type ProgressHub, type SpeedEstimator } from '../progress';
import { createBandwidthLimiter, type BandwidthLimiter } from './bandwidth-limiter';
import { createChunkHasher } from './chunk-hasher';
import { transferFile, type TransferSettings } from './file-transfer';
import { createBackoff, classifyError } from './retry-policy';
import { HostNotFoundError, SourceChangedError } from './sender-errors';
import { settledSource, sleep } from './settle';
import type { TusClient } from './tus-client';
import type { UploadQueue } from './upload-queue';

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
}

export interface UploadPool {
  readonly hub: ProgressHub;
  readonly limiter: BandwidthLimiter;
  start(): void;
  pause(id?: string): void;
  resume(id?: string): void;
  cancel(id?: string): Promise<void>;
  retry(id?: string): void;
  setConcurrency(files: number): void;
  setRateLimit(bytesPerSecond: number | null): void;
  /** Jobs transferring right now. */
  activeCount(): number;
  /**
   * Totals over the queue (or the jobs `include` picks), with smoothed speed and ETA over total bytes.
   * Pass the same `include` function each time: its speed estimate lives with it.
   */
  overall(include?: (job: UploadJob) => boolean): OverallProgress;
  /** Resolves when nothing is queued or running. */
  whenIdle(): Promise<void>;
  /** Stops every transfer (jobs stay resumable) and persists the queue. */
  close(): Promise<void>;
}

export interface OverallProgress {
  files: number;
  completed: number;
  failed: number;
  size: number;
  acknowledged: number;
  bytesPerSecond: number;
  etaSeconds: number | null;
}

/** The default filter; one instance, since each filter keeps its own speed estimate. */
const everyJob = () => true;

type StopReason = { stop: 'pause' | 'cancel' | 'close' };
/** New uploads one run may start (404/410, changed source) before it gives up instead of looping. */
const maxRestarts = 4;
/** Retries for a host name that does not resolve and never answered: three tries in all, then fail. */
const hostNotFoundRetries = 2;
const isStop = (value: unknown): value is StopReason => typeof value === 'object' && value !== null && 'stop' in value;
export function createUploadPool(queue: UploadQueue, client: TusClient, options: PoolOptions = {}): UploadPool {
  let concurrency = options.concurrency ?? 4;
  const settings: TransferSettings = { chunkSize: options.chunkSize ?? 8 * 1024 * 1024, parallel: options.parallel ?? 1, stallTimeoutMs: options.stallTimeoutMs ?? 30_000, checksum: options.checksum ?? true };
  const hub = options.hub ?? createProgressHub();
  const limiter = createBandwidthLimiter(options.rateLimit ?? null);
  const hasher = createChunkHasher();
  const active = new Map<string, AbortController>();
  const overallSpeed = new WeakMap<object, SpeedEstimator>();
  let pausedUntil = 0;
  let offline = false;
  let started = false;
  let closed = false;
  let wakeTimer: NodeJS.Timeout | undefined;
  let idleWaiters: (() => void)[] = [];

  function track(job: UploadJob) {
    hub.register({ uploadId: job.id, source: 'tus', filename: job.relativePath ?? job.name, length: job.size, offset: job.acknowledged, status: 'created', context: { path: job.path } });
  }
  const update = (job: UploadJob, patch: Partial<UploadJob>) => queue.update(job.id, patch);

  function settleIdle() {
    if (active.size > 0 || queue.nextQueued(new Set())) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  function pump() {
    if (!started || closed || offline) return settleIdle();
    const wait = pausedUntil - Date.now();
    if (wait > 0) {
      wakeTimer ??= setTimeout(() => ((wakeTimer = undefined), pump()), wait);
      return;
    }
    while (active.size < concurrency) {
      const job = queue.nextQueued(new Set(active.keys()));
      if (!job) break;
      const controller = new AbortController();
      active.set(job.id, controller);
      void run(job, controller.signal).finally(() => {
        active.delete(job.id);
        pump();
      });
    }
    settleIdle();
  }

  async function gate(signal: AbortSignal) {
    for (let wait = pausedUntil - Date.now(); wait > 0; wait = pausedUntil - Date.now()) await sleep(wait, signal);
  }

  async function goOffline(job: UploadJob) {
    if (offline) return;
    offline = true;
    const target = { endpoint: job.target.endpoint, headers: job.target.headers };
    // Lost connectivity pauses the queue rather than failing it; it resumes when the target answers.
    while (!closed) {
      await sleep(options.probeIntervalMs ?? 2_000);
      if (await client.ping(target)) break;
    }
    offline = false;
    pump();
  }

  async function run(job: UploadJob, signal: AbortSignal) {
    track(job);
    update(job, { status: 'running', phase: 'uploading', error: undefined });
    hub.transition(job.id, 'running');
    const backoff = createBackoff({ delays: options.retryDelays, maxAttempts: options.maxAttempts });
    const lookups = createBackoff({ delays: options.retryDelays, maxAttempts: hostNotFoundRetries });
    let restarts = 0;
    const deps = {
      client,
      hasher,
      limiter,
      settings: () => settings,
      save: async (patch: Partial<UploadJob>, durable = false) => {
        update(job, patch);
        // An upload URL must be on disk before bytes go to it: a kill in the coalescing delay would
        // otherwise forget the upload and re-send the whole file. A failed save only costs that.
        if (durable) await queue.flush().catch(() => undefined);
      },
      onAcknowledged: (total: number) => {
        if (total > job.acknowledged) backoff.reset();
        // The server answered: whatever held the job up (stall, retry, pool wait) is over.
        const held = job.phase === 'stalled' || job.phase === 'retrying' || job.phase === 'waiting' || job.phase === 'offline';
        update(job, { acknowledged: total, ...(held ? { phase: 'uploading' as const } : {}) });
        hub.advance(job.id, total);
      },
      onSent: (total: number) => void (job.sent = Math.max(job.acknowledged, total)),
      onPhase: (phase: UploadJob['phase']) => update(job, { phase }),
      gate: () => gate(signal),
    };
    for (;;) {
      try {
        await gate(signal);
        await transferFile(job, deps, signal);
        update(job, { status: 'completed', phase: undefined, error: undefined, acknowledged: job.size, sent: job.size, finishedAt: Date.now() });
        hub.advance(job.id, job.size);
        hub.transition(job.id, 'completed');
        return;
      } catch (caught) {
        if (signal.aborted) return stopped(job, signal.reason);
        const decision = classifyError(caught, job.uploadUrl !== undefined || job.parts !== undefined, client.hasAnswered(job.target));
        const error = decision.kind === 'host-not-found' ? new HostNotFoundError(new URL(job.target.endpoint).hostname, caught) : caught;
        const code = (error as { code?: string }).code ?? 'UPLOAD_FAILED';
        const message = (error as Error).message;
        if (decision.kind === 'restart') {
          restarts += 1;
          // A changed source is sent again as what is on disk now; the old size and mtime would fail
          // every read (a hot loop of new uploads). A vanished or restless file fails instead.
          let info: Awaited<ReturnType<typeof settledSource>>;
          try {
            if (error instanceof SourceChangedError && restarts <= maxRestarts) info = await settledSource(job.path, signal);
          } catch {
            return stopped(job, signal.reason);
          }
          if (restarts > maxRestarts || (error instanceof SourceChangedError && !info)) {
            update(job, { status: 'failed', phase: undefined, error: { code, message }, attempts: job.attempts + 1 });
            hub.transition(job.id, 'failed', { message, errorCode: code });
            return;
          }
          update(job, { uploadUrl: undefined, parts: undefined, sha256: undefined, acknowledged: 0, sent: 0, phase: 'retrying', ...(info ? { size: info.size, mtimeMs: info.mtimeMs } : {}) });
          if (info) {
            // The hub fixes a length once; the new content is a new transfer for it.
            hub.forget(job.id);
            track(job);
            hub.transition(job.id, 'running');
          }
          continue;
        }
        if (decision.kind === 'pause-pool') {
          pausedUntil = Math.max(pausedUntil, Date.now() + decision.waitMs);
          update(job, { phase: 'waiting' });
          continue;
        }
        if (decision.kind === 'offline') {
          update(job, { status: 'queued', phase: 'offline', error: { code, message } });
          hub.transition(job.id, 'paused', { message: 'The target does not answer; waiting for it', errorCode: code });
          void goOffline(job);
          return;
        }
        const delay = decision.kind === 'retry' ? backoff.next() : decision.kind === 'host-not-found' ? lookups.next() : undefined;
        if (delay === undefined) {
          update(job, { status: 'failed', phase: undefined, error: { code, message }, attempts: job.attempts + 1 });
          hub.transition(job.id, 'failed', { message, errorCode: code });
          return;
        }
        // A request that timed out without an answer (the resume HEAD in the same black hole) is
        // still a stall, not a server error.
        update(job, { phase: code === 'STALLED' || code === 'ETIMEDOUT' ? 'stalled' : 'retrying', attempts: job.attempts + 1, error: { code, message } });
        try {
          await sleep(delay, signal);
        } catch {
          return stopped(job, signal.reason);
        }
      }
    }
  }

  function stopped(job: UploadJob, reason: unknown) {
    const stop = isStop(reason) ? reason.stop : 'close';
    if (stop === 'cancel') {
      update(job, { status: 'canceled', phase: undefined });
      hub.transition(job.id, 'terminated', { message: 'Canceled' });
    } else if (stop === 'pause') {
      // pause() already marked it; a resume since then has queued it again, which stands.
      if (job.status === 'running') update(job, { status: 'paused', phase: undefined });
    } else {
      // Closing the app: the job resumes on next start.
      update(job, { status: 'queued', phase: undefined });
    }
  }

  const select = (id?: string) => (id === undefined ? [...queue.list()] : [queue.get(id)].filter((job): job is UploadJob => job !== undefined));

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
        const target = { endpoint: job.target.endpoint, headers: job.target.headers };
        for (const url of [job.uploadUrl, ...(job.parts ?? []).map((part) => part.url)]) if (url) await client.terminate(target, url).catch(() => undefined);
        update(job, { uploadUrl: undefined, parts: undefined });
      }
      pump();
    },
    retry(id) {
      for (const job of select(id)) {
        if (job.status !== 'failed' && job.status !== 'canceled') continue;
        hub.forget(job.id);
        update(job, { status: 'queued', phase: undefined, error: undefined, attempts: 0 });
      }
      pump();
    },
    setConcurrency(files) {
      concurrency = Math.max(1, Math.floor(files));
      pump();
    },
    setRateLimit(bytesPerSecond) {
      limiter.setRate(bytesPerSecond);
    },
    activeCount: () => active.size,
    overall(include = everyJob) {
      const totals = { files: 0, completed: 0, failed: 0, size: 0, acknowledged: 0 };
      for (const job of queue.list()) {
        if (!include(job) || job.status === 'canceled') continue;
        totals.files += 1;
        totals.size += job.size;
        totals.acknowledged += job.acknowledged;
        if (job.status === 'completed') totals.completed += 1;
        if (job.status === 'failed') totals.failed += 1;
      }
      // One estimator over total bytes: a steady ETA even as files start and finish.
      const estimator = overallSpeed.get(include) ?? createSpeedEstimator();
      overallSpeed.set(include, estimator);
      estimator.sample(totals.acknowledged);
      return { ...totals, bytesPerSecond: estimator.bytesPerSecond(), etaSeconds: estimator.etaSeconds(totals.size - totals.acknowledged) };
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
      while (active.size > 0) await sleep(10);
      await queue.flush();
      client.close();
      await hasher.close();
    },
  };
}
