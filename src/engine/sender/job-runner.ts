import { stat } from 'node:fs/promises';
import { isTerminal } from '../../shared/progress-event';
import { bytesSent, type UploadJob } from '../../shared/upload-job';
import type { ProgressHub, ProgressRegistration } from '../progress';
import type { BandwidthLimiter } from './bandwidth-limiter';
import type { BulkClient } from './bulk-client';
import { landedInBulk } from './bulk-landed';
import type { ChunkHasher } from './chunk-hasher';
import { transferFile, type TransferSettings } from './file-transfer';
import type { PoolGate } from './pool-gate';
import type { LinkMeters } from './request-size';
import { createBackoff, classifyError } from './retry-policy';
import { HostNotFoundError, SourceChangedError } from './sender-errors';
import { settledSource, sleep } from './settle';
import type { TusClient } from './tus-client';
import type { QueuedJob, UploadQueue } from './upload-queue';

/** Why the pool aborted a running job; the job's final state depends on it. */
export type StopReason = { stop: 'pause' | 'cancel' | 'close' };
/** How a completed run ended: bytes went to the target, or the target already had the whole file. */
export type JobOutcome = 'sent' | 'already-there';
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
  links: LinkMeters;
  settings: () => TransferSettings;
  retryDelays?: number[];
  maxAttempts?: number;
  onOutcome(id: string, outcome: JobOutcome): void;
  /** A resumed job learned that the target holds `bytes` more than it knew: stored before, not sent now. */
  onStoredBefore?(job: QueuedJob, bytes: number): void;
  /** Asks Ferry's receiver what landed by bulk requests (bulk-landed.ts); none: never asked. */
  bulk?: BulkClient;
}

/**
 * Bytes a HEAD's `total` adds to what the job already counted as sent (its `sent`, at least its
 * `acknowledged`): stored by an earlier run and not counted yet. A retry within a run finds bytes it
 * sent itself, already counted; a run after a kill may have counted more as sent than was acknowledged.
 */
export const newlyKnownBytes = (job: Pick<QueuedJob, 'sent' | 'acknowledged'>, total: number): number =>
  Math.max(0, total - bytesSent(job));

/** The job starts running: its progress stream (a new attempt if it had finished), its status. */
export function beginRun({ queue, hub }: JobRunContext, job: QueuedJob): void {
  const known = hub.get(job.id);
  // A finished job run again (a retry, a check that the target still has it) is a new attempt to the hub.
  if (known && isTerminal(known.status)) hub.restart(registrationOf(job));
  // New to the hub: it starts out running, one event where created then running would be two.
  else if (!known) hub.register({ ...registrationOf(job), status: 'running' });
  queue.update(job.id, { status: 'running', phase: 'uploading', error: undefined, retryAt: undefined });
  hub.transition(job.id, 'running');
}

/**
 * Runs one job until it completes, fails, goes offline or is stopped: transfers the file, and decides
 * after each error whether to retry, start a new upload, hold its target or give up. `started` is the
 * job as the pool picked it; every change goes through `queue.update`, and every read after the start
 * asks the queue (`current`), since the pool changes the job too (a pause, a cancel).
 */
export async function runJob(context: JobRunContext, started: QueuedJob, signal: AbortSignal): Promise<void> {
  const { queue, client, hub, gate } = context;
  const { id, target } = started;
  let latest = started;
  /** The job as the queue holds it now; as it last was, should it be removed while it runs. */
  const current = () => (latest = queue.get(id) ?? latest);
  const update = (patch: Partial<UploadJob>) => void (latest = queue.update(id, patch) ?? latest);
  beginRun(context, started);
  latest = current();
  // Only bytes the target already had, for an upload it already knew: nothing needs sending.
  const startedComplete = started.acknowledged === started.size && started.uploadUrl !== undefined;
  let wrote = false;
  const backoff = createBackoff({ delays: context.retryDelays, maxAttempts: context.maxAttempts });
  const lookups = createBackoff({ delays: context.retryDelays, maxAttempts: hostNotFoundRetries });
  let restarts = 0;
  /** The server answered with `total` bytes stored: sent now, or (`storedBefore`) by an earlier run. */
  const acknowledge = (total: number, storedBefore: boolean) => {
    const job = current();
    if (total > job.acknowledged) backoff.reset();
    // The server answered: whatever held the job up (stall, retry, pool wait) is over.
    const held =
      job.phase === 'stalled' || job.phase === 'retrying' || job.phase === 'waiting' || job.phase === 'offline';
    update({ acknowledged: total, ...(held ? { phase: 'uploading' as const, retryAt: undefined } : {}) });
    if (!storedBefore) return hub.advance(id, total);
    const learned = newlyKnownBytes(job, total);
    if (learned > 0) context.onStoredBefore?.(job, learned);
    hub.resumeAt(id, total);
  };
  const deps = {
    client,
    hasher: context.hasher,
    limiter: context.limiter,
    link: context.links.of(target),
    settings: context.settings,
    save: async (patch: Partial<UploadJob>, durable = false) => {
      if (patch.uploadUrl !== undefined || patch.parts !== undefined) wrote = true;
      update(patch);
      // An upload URL must be on disk before bytes go to it: a kill in the coalescing delay would
      // otherwise forget the upload and re-send the whole file. A failed save only costs that.
      if (durable) await queue.flush().catch(() => undefined);
    },
    onAcknowledged: (total: number) => acknowledge(total, false),
    onResumedAt: (total: number) => acknowledge(total, true),
    onSent: (total: number) => {
      wrote = true;
      const job = current();
      const sent = Math.max(job.acknowledged, total);
      if (sent !== job.sent) update({ sent });
      hub.sent(id, sent);
    },
    onPhase: (phase: UploadJob['phase']) => update({ phase }),
    onSize: (size: number, final: boolean) => {
      update({ size });
      if (final) hub.setLength(id, size);
    },
    gate: () => gate.wait(target, signal),
  };
  const stopped = (reason: unknown) => stopJob(context, id, reason);
  const fail = (code: string, message: string) => {
    update({
      status: 'failed',
      phase: undefined,
      error: { code, message },
      attempts: current().attempts + 1,
      retryAt: undefined,
    });
    hub.transition(id, 'failed', { message, errorCode: code });
  };
  for (;;) {
    try {
      await gate.wait(target, signal);
      // Sent in a bulk request whose answer was lost, or landed that way before: its key says if it is there.
      const landed = await landedInBulk(client, context.bulk, current(), signal);
      // Each try starts from the job as it is now: a restart cleared its uploads, a growing file grew.
      if (landed === undefined) await transferFile(current(), deps, signal);
      const outcome: JobOutcome =
        (landed !== undefined && started.finishedAt !== undefined) ||
        (landed === undefined && startedComplete && !wrote && restarts === 0)
          ? 'already-there'
          : 'sent';
      // A growing source's size is the one it was declared with.
      const { size } = current();
      update({
        status: 'completed',
        phase: undefined,
        error: undefined,
        retryAt: undefined,
        acknowledged: size,
        sent: size,
        finishedAt: Date.now(),
        ...(landed !== undefined ? { sha256Confirmed: landed === current().sha256 } : {}),
      });
      context.onOutcome(id, outcome);
      hub.advance(id, size);
      hub.transition(id, 'completed', outcome === 'already-there' ? { message: 'Already on the target' } : undefined);
      return;
    } catch (caught) {
      if (signal.aborted) return stopped(signal.reason);
      const job = current();
      const decision = classifyError(
        caught,
        job.uploadUrl !== undefined || job.parts !== undefined,
        client.hasAnswered(target),
      );
      const error =
        decision.kind === 'host-not-found' ? new HostNotFoundError(new URL(target.endpoint).hostname, caught) : caught;
      const code = (error as { code?: string }).code ?? 'UPLOAD_FAILED';
      const message = (error as Error).message;
      if (decision.kind === 'restart') {
        restarts += 1;
        // A changed source is sent again as what is on disk now; the old size and mtime would fail
        // every read (a hot loop of new uploads). A vanished or restless file fails instead.
        let info: Awaited<ReturnType<typeof settledSource>>;
        try {
          // A growing source never settles while written to: take it as it is now.
          if (error instanceof SourceChangedError && restarts <= maxRestarts)
            info = job.growing ? await stat(job.path).catch(() => undefined) : await settledSource(job.path, signal);
        } catch {
          return stopped(signal.reason);
        }
        if (restarts > maxRestarts || (error instanceof SourceChangedError && !info)) return fail(code, message);
        // Uploads of the old content stay on the target until they expire unless told: say so.
        if (error instanceof SourceChangedError) abandonUploads(context, current());
        update({
          uploadUrl: undefined,
          parts: undefined,
          sha256: undefined,
          acknowledged: 0,
          sent: 0,
          phase: 'retrying',
          ...(info ? { size: info.size, mtimeMs: info.mtimeMs } : {}),
        });
        // A new upload from zero, with the new content's length: the progress stream starts a new attempt.
        hub.restart({ ...registrationOf(current()), message: `Starting over: ${message}`, errorCode: code });
        hub.transition(id, 'running');
        continue;
      }
      if (decision.kind === 'pause-target') {
        // The target asked to wait: its jobs give their places to other targets' until then.
        gate.pauseFor(target, decision.waitMs);
        update({ status: 'queued', phase: 'waiting', error: { code, message } });
        hub.transition(id, 'paused', { message: 'The target asked to wait', errorCode: code });
        return;
      }
      if (decision.kind === 'offline') {
        update({ status: 'queued', phase: 'offline', error: { code, message } });
        hub.transition(id, 'paused', { message: 'The target does not answer; waiting for it', errorCode: code });
        void gate.goOffline(job);
        return;
      }
      const delay =
        decision.kind === 'retry' ? backoff.next() : decision.kind === 'host-not-found' ? lookups.next() : undefined;
      if (delay === undefined) {
        return fail(code, message);
      }
      // A request that timed out without an answer (the resume HEAD in the same black hole) is
      // still a stall, not a server error.
      // `retryAt` lets the window count down to the next try.
      update({
        phase: code === 'STALLED' || code === 'ETIMEDOUT' ? 'stalled' : 'retrying',
        attempts: job.attempts + 1,
        error: { code, message },
        retryAt: Date.now() + delay,
      });
      try {
        await sleep(delay, signal);
      } catch {
        return stopped(signal.reason);
      }
    }
  }
}

function registrationOf(job: QueuedJob): ProgressRegistration {
  // A growing source has no length until it stops growing (then `setLength`).
  const length = job.growing && job.status !== 'completed' ? null : job.size;
  return {
    uploadId: job.id,
    source: 'tus',
    filename: job.relativePath ?? job.name,
    length,
    offset: job.acknowledged,
    status: 'created',
    context: { path: job.path },
  };
}

/** Best effort: the target frees uploads this job will not use again. */
function abandonUploads({ client }: JobRunContext, job: QueuedJob) {
  for (const url of [job.uploadUrl, ...(job.parts ?? []).map((part) => part.url)])
    if (url) void client.terminate(job.target, url).catch(() => undefined);
}

/** Leaves an aborted job in the state its stop reason calls for. */
export function stopJob({ queue, hub }: JobRunContext, id: string, reason: unknown) {
  const update = (patch: Partial<UploadJob>) => queue.update(id, patch);
  const stop = isStop(reason) ? reason.stop : 'close';
  if (stop === 'cancel') {
    update({ status: 'canceled', phase: undefined });
    hub.transition(id, 'terminated', { message: 'Canceled' });
  } else if (stop === 'pause') {
    // pause() already marked it; a resume since then has queued it again, which stands.
    if (queue.get(id)?.status === 'running') update({ status: 'paused', phase: undefined });
  } else {
    // Closing the app: the job resumes on next start.
    update({ status: 'queued', phase: undefined });
  }
}
