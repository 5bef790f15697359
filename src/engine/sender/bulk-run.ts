import type { UploadJob, UploadTarget } from '../../shared/upload-job';
import { bulkBody, type BulkSource } from './bulk-body';
import { newBoundary, type BulkClient, type BulkFileAnswer } from './bulk-client';
import type { BulkReader } from './bulk-reader';
import { stopJob, type JobRunContext } from './job-runner';
import type { QueuedJob } from './queued-job';
import { classifyError, createBackoff } from './retry-policy';
import { sleep } from './settle';
import { inTurns } from '../in-turns';
import { withStallWatch } from './stall-watch';

/** What a batch shares with the pool beyond what one job's run does. */
export interface BulkRunContext extends JobRunContext {
  bulk: BulkClient;
  reader: BulkReader;
  /** The job goes the per-file way from now on: it failed in a batch, or its batch could not go. */
  sendAlone(id: string): void;
  /** The target refused bulk requests: its files go one per request. */
  refuseBulk(target: UploadTarget): void;
}

/** A job of the batch, and the signal the pool stops it with (pause, cancel, close). */
export interface BulkMember {
  job: QueuedJob;
  signal: AbortSignal;
  /** Its part in the batch is over (landed, failed, handed back, stopped): the pool lets it go. */
  release(): void;
}

interface Member extends BulkMember {
  id: string;
  done: boolean;
  /** Its part has started to leave in the request in flight. */
  inBody: boolean;
  sha256?: string;
  key?: string;
}

/** The request was broken off because a job whose part was in it was paused or canceled. */
const memberStopped = Symbol('member stopped');

/** Codes that say the target takes no bulk requests, whatever its OPTIONS said. */
const refusals = new Set(['BULK_UNAVAILABLE', 'HTTP_404', 'HTTP_405', 'HTTP_415']);

/**
 * Sends a batch of small files (bulk-batch.ts) in one request and settles each job from the answer
 * for its file: landed (with the sha256 the receiver checked), or back to the queue to go alone, where
 * the per-file way's retry policy decides. A request that breaks without an answer is retried (by the
 * same backoff) after asking the receiver which keys landed, so only files that did not land go
 * again. A job paused or canceled in the batch leaves it; if its bytes were on the wire, the request
 * is broken off and the others go again. Every change goes through `queue.update`.
 */
export async function runBulk(context: BulkRunContext, batch: readonly BulkMember[]): Promise<void> {
  const { queue, hub, gate } = context;
  const target = batch[0]!.job.target;
  const members: Member[] = batch.map((m) => ({ ...m, id: m.job.id, done: false, inBody: false }));
  const byKey = new Map<string, Member>();
  const everyoneDone = new AbortController();
  /** The request in flight, if any (a holder: closures set it). */
  const flight: { request?: AbortController } = {};
  const stoppedByMember = () => flight.request?.signal.reason === memberStopped;
  const update = (m: Member, patch: Partial<UploadJob>) => queue.update(m.id, patch);
  const left = () => members.filter((m) => !m.done);
  let settled = 0;

  const settle = (m: Member) => {
    m.release();
    if (m.done) return;
    m.done = true;
    if (++settled === members.length) everyoneDone.abort();
  };
  const complete = (m: Member, sha256: string, confirmed: string | undefined) => {
    const { size } = m.job;
    update(m, {
      status: 'completed',
      phase: undefined,
      error: undefined,
      retryAt: undefined,
      acknowledged: size,
      sent: size,
      sha256,
      sha256Confirmed: confirmed === sha256,
      finishedAt: Date.now(),
    });
    context.onOutcome(m.id, 'sent');
    // Landed whole: its last bytes and its completion are one event.
    hub.transition(m.id, 'completed', { offset: size });
    settle(m);
  };
  /** Back to the queue, to go alone. `forget`: the receiver said it did not land, so no key is pending. */
  const handBack = (m: Member, error: { code: string; message: string }, forget: boolean) => {
    const attempts = (queue.get(m.id) ?? m.job).attempts + 1;
    update(m, { status: 'queued', phase: 'retrying', error, attempts, ...(forget ? { sha256: undefined } : {}) });
    context.sendAlone(m.id);
    settle(m);
  };
  const requeue = (m: Member, phase: 'waiting' | 'offline', error: { code: string; message: string }) => {
    update(m, { status: 'queued', phase, error });
    const message = phase === 'offline' ? 'The target does not answer; waiting for it' : 'The target asked to wait';
    hub.transition(m.id, 'paused', { message, errorCode: error.code });
    context.sendAlone(m.id);
    settle(m);
  };
  for (const m of members)
    m.signal.addEventListener(
      'abort',
      () => {
        if (m.done) return;
        const wasSent = m.inBody;
        settle(m);
        stopJob(context, m.id, m.signal.reason);
        // Its bytes are on the wire: the request goes down, the others go again (asking first what landed).
        if (wasSent) flight.request?.abort(memberStopped);
      },
      { once: true },
    );

  // A file the receiver refused goes again alone, where the per-file way's retry policy decides (the
  // receiver may take there what it would not in a batch: its multipart limits are not its tus ones).
  const settleFile = (m: Member, answer: BulkFileAnswer) => {
    if (answer.status === 'landed') return complete(m, m.sha256!, answer.sha256);
    handBack(m, { code: answer.error.code, message: answer.error.message }, true);
  };

  /** After a request that ended without an answer: what landed of it is settled, the rest goes again. */
  const askWhatLanded = async () => {
    const keyed = left().filter((m) => m.key);
    if (keyed.length === 0) return;
    const answers = await context.bulk.landed(
      target,
      keyed.map((m) => m.key!),
      everyoneDone.signal,
    );
    await inTurns(answers, (answer) => {
      const m = byKey.get(answer.key);
      if (m && !m.done && answer.status === 'landed') complete(m, m.sha256!, answer.sha256);
    });
  };

  const boundary = newBoundary();
  const send = async (sending: Member[]): Promise<BulkFileAnswer[]> => {
    const controller = (flight.request = new AbortController());
    const sources: BulkSource[] = sending.map((m) => ({
      job: queue.get(m.id) ?? m.job,
      wanted: () => !m.done,
      onRead(sha256, key) {
        m.inBody = true;
        m.sha256 = sha256;
        m.key = key;
        byKey.set(key, m);
        // The key is known before any byte of it leaves: a restart asks for it instead of sending twice.
        update(m, { sha256 });
      },
      onUnreadable(error) {
        if (m.done) return;
        // Changed or gone since it was queued: the per-file way knows what to do (start over, fail).
        const code = (error as { code?: string }).code ?? 'SOURCE_CHANGED';
        handBack(m, { code, message: (error as Error).message }, true);
      },
    }));
    const link = context.links.of(target);
    const startedAt = performance.now();
    let sent = 0;
    // The whole batch stopped (the pool closes): nothing is left to send.
    const allStopped = () => controller.abort(memberStopped);
    everyoneDone.signal.addEventListener('abort', allStopped, { once: true });
    try {
      return await withStallWatch(context.settings().stallTimeoutMs, controller.signal, (signal, touch) =>
        context.bulk.send(target, {
          body: bulkBody(sources, boundary, context.reader, context.limiter, signal),
          boundary,
          signal,
          onSent: (bytes) => {
            sent = bytes;
            touch();
          },
        }),
      );
    } finally {
      everyoneDone.signal.removeEventListener('abort', allStopped);
      link.record(sent, performance.now() - startedAt);
      for (const m of sending) m.inBody = false;
    }
  };

  const backoff = createBackoff({ delays: context.retryDelays, maxAttempts: context.maxAttempts });
  for (let attempt = 1; left().length > 0; attempt++) {
    flight.request = undefined;
    try {
      await gate.wait(target, everyoneDone.signal);
      if (attempt > 1) await askWhatLanded();
      const sending = left();
      if (sending.length === 0) return;
      const answers = await send(sending);
      // A slice of jobs per turn of the event loop: the app's other work (IPC, the window) goes on between.
      await inTurns(answers, (answer) => {
        const m = answer.key === undefined ? undefined : byKey.get(answer.key);
        if (m && !m.done) settleFile(m, answer);
      });
      // Files the answer did not name go again, as after a lost answer, but not forever.
      if (left().length > 0 && backoff.next() === undefined)
        for (const m of left())
          handBack(m, { code: 'NOT_ANSWERED', message: 'The receiver did not answer for it' }, false);
    } catch (caught) {
      if (everyoneDone.signal.aborted || left().length === 0) return;
      if (stoppedByMember()) continue;
      const code = (caught as { code?: string }).code ?? 'UPLOAD_FAILED';
      const error = { code, message: (caught as Error).message };
      const decision = classifyError(caught, false, context.client.hasAnswered(target));
      if (decision.kind === 'pause-target') {
        gate.pauseFor(target, decision.waitMs);
        for (const m of left()) requeue(m, 'waiting', error);
        return;
      }
      if (decision.kind === 'offline') {
        const first = left()[0]!;
        for (const m of left()) requeue(m, 'offline', error);
        void gate.goOffline(queue.get(first.id) ?? first.job);
        return;
      }
      const delay = decision.kind === 'retry' ? backoff.next() : undefined;
      if (delay === undefined) {
        if (refusals.has(code)) context.refuseBulk(target);
        // Whatever may have landed is asked for by the per-file way first (it has the keys).
        for (const m of left()) handBack(m, error, false);
        return;
      }
      const phase = code === 'STALLED' || code === 'ETIMEDOUT' ? 'stalled' : 'retrying';
      for (const m of left()) update(m, { phase, error, retryAt: Date.now() + delay });
      try {
        await sleep(delay, everyoneDone.signal);
      } catch {
        return;
      }
    }
  }
}
