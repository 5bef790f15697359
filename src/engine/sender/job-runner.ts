import { stat } from 'node:fs/promises';
import type { UploadJob } from '../../shared/upload-job';
import type { ProgressHub } from '../progress';
import type { BandwidthLimiter } from './bandwidth-limiter';
import type { ChunkHasher } from './chunk-hasher';
import { transferFile, type TransferSettings } from './file-transfer';
import type { PoolGate } from './pool-gate';
import { createBackoff, classifyError } from './retry-policy';
import { HostNotFoundError, SourceChangedError } from './sender-errors';
import { settledSource, sleep } from './settle';
import type { TusClient } from './tus-client';
import type { UploadQueue } from './upload-queue';

/** Why the pool aborted a running job; the job's final state depends on it. */
export type StopReason = { stop: 'pause' | 'cancel' | 'close' };
/** New uploads one run may start (404/410, changed source) before it gives up instead of looping. */
const maxRestarts = 4;
/** Retries for a host name that does not resolve and never answered: three tries in all, then fail. */
const hostNotFoundRetries = 2;
const isStop = (value: unknown): value is StopReason => typeof value === 'object' && value !== null && 'stop' in value;

/** What a job's run shares with the pool that started it. */
export interface JobRunContext {
  queue: UploadQueue;
  client: TusClient;
  hasher: ChunkHasher;
  limiter: BandwidthLimiter;
  hub: ProgressHub;
  gate: PoolGate;
  settings: () => TransferSettings;
  retryDelays?: number[];
  maxAttempts?: number;
}

/**
 * Runs one job until it completes, fails, goes offline or is stopped: transfers the file, and decides
 * after each error whether to retry, start a new upload, pause the whole pool or give up.
 */
export async function runJob(context: JobRunContext, job: UploadJob, signal: AbortSignal): Promise<void> {
  const { queue, client, hub, gate } = context;
  const update = (patch: Partial<UploadJob>) => queue.update(job.id, patch);
  track(hub, job);
  update({ status: 'running', phase: 'uploading', error: undefined });
  hub.transition(job.id, 'running');
  const backoff = createBackoff({ delays: context.retryDelays, maxAttempts: context.maxAttempts });
  const lookups = createBackoff({ delays: context.retryDelays, maxAttempts: hostNotFoundRetries });
  let restarts = 0;
  const deps = {
    client,
    hasher: context.hasher,
    limiter: context.limiter,
    settings: context.settings,
    save: async (patch: Partial<UploadJob>, durable = false) => {
      update(patch);
      // An upload URL must be on disk before bytes go to it: a kill in the coalescing delay would
      // otherwise forget the upload and re-send the whole file. A failed save only costs that.
      if (durable) await queue.flush().catch(() => undefined);
    },
    onAcknowledged: (total: number) => {
      if (total > job.acknowledged) backoff.reset();
      // The server answered: whatever held the job up (stall, retry, pool wait) is over.
      const held = job.phase === 'stalled' || job.phase === 'retrying' || job.phase === 'waiting' || job.phase === 'offline';
      update({ acknowledged: total, ...(held ? { phase: 'uploading' as const } : {}) });
      hub.advance(job.id, total);
    },
    onSent: (total: number) => void (job.sent = Math.max(job.acknowledged, total)),
    onPhase: (phase: UploadJob['phase']) => update({ phase }),
    onSize: (size: number, final: boolean) => {
      update({ size });
      if (final) hub.setLength(job.id, size);
    },
    gate: () => gate.wait(signal),
  };
  const stopped = (reason: unknown) => stopJob(context, job, reason);
  const fail = (code: string, message: string) => {
    update({ status: 'failed', phase: undefined, error: { code, message }, attempts: job.attempts + 1 });
    hub.transition(job.id, 'failed', { message, errorCode: code });
  };
  for (;;) {
    try {
      await gate.wait(signal);
      await transferFile(job, deps, signal);
      update({ status: 'completed', phase: undefined, error: undefined, acknowledged: job.size, sent: job.size, finishedAt: Date.now() });
      hub.advance(job.id, job.size);
      hub.transition(job.id, 'completed');
      return;
    } catch (caught) {
      if (signal.aborted) return stopped(signal.reason);
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
          // A growing source never settles while written to: take it as it is now.
          if (error instanceof SourceChangedError && restarts <= maxRestarts) info = job.growing ? await stat(job.path).catch(() => undefined) : await settledSource(job.path, signal);
        } catch {
          return stopped(signal.reason);
        }
        if (restarts > maxRestarts || (error instanceof SourceChangedError && !info)) return fail(code, message);
        update({ uploadUrl: undefined, parts: undefined, sha256: undefined, acknowledged: 0, sent: 0, phase: 'retrying', ...(info ? { size: info.size, mtimeMs: info.mtimeMs } : {}) });
        if (info || job.growing) {
          // The hub fixes a length once; the new content (or a growing file's next declared length) is a new transfer for it.
          hub.forget(job.id);
          track(hub, job);
          hub.transition(job.id, 'running');
        }
        continue;
      }
      if (decision.kind === 'pause-pool') {
        gate.pauseFor(decision.waitMs);
        update({ phase: 'waiting' });
        continue;
      }
      if (decision.kind === 'offline') {
        update({ status: 'queued', phase: 'offline', error: { code, message } });
        hub.transition(job.id, 'paused', { message: 'The target does not answer; waiting for it', errorCode: code });
        void gate.goOffline(job);
        return;
      }
      const delay = decision.kind === 'retry' ? backoff.next() : decision.kind === 'host-not-found' ? lookups.next() : undefined;
      if (delay === undefined) {
        return fail(code, message);
      }
      // A request that timed out without an answer (the resume HEAD in the same black hole) is
      // still a stall, not a server error.
      update({ phase: code === 'STALLED' || code === 'ETIMEDOUT' ? 'stalled' : 'retrying', attempts: job.attempts + 1, error: { code, message } });
      try {
        await sleep(delay, signal);
      } catch {
        return stopped(signal.reason);
      }
    }
  }
}

function track(hub: ProgressHub, job: UploadJob) {
  // A growing source has no length until it stops growing (then `setLength`).
  const length = job.growing && job.status !== 'completed' ? null : job.size;
  hub.register({ uploadId: job.id, source: 'tus', filename: job.relativePath ?? job.name, length, offset: job.acknowledged, status: 'created', context: { path: job.path } });
}

/** Leaves an aborted job in the state its stop reason calls for. */
function stopJob({ queue, hub }: JobRunContext, job: UploadJob, reason: unknown) {
  const update = (patch: Partial<UploadJob>) => queue.update(job.id, patch);
  const stop = isStop(reason) ? reason.stop : 'close';
  if (stop === 'cancel') {
    update({ status: 'canceled', phase: undefined });
    hub.transition(job.id, 'terminated', { message: 'Canceled' });
  } else if (stop === 'pause') {
    // pause() already marked it; a resume since then has queued it again, which stands.
    if (job.status === 'running') update({ status: 'paused', phase: undefined });
  } else {
    // Closing the app: the job resumes on next start.
    update({ status: 'queued', phase: undefined });
  }
}
