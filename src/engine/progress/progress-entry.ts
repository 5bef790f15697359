import {
  isTerminal,
  type ProgressContext,
  type ProgressEvent,
  type UploadSource,
  type UploadStatus,
} from '../../shared/progress-event';
import { FerryError } from '../errors';
import type { SpeedEstimator } from './speed-estimator';

// One upload's state inside the progress hub, and the event it turns into.

type Timer = ReturnType<typeof setTimeout>;

export interface Entry {
  readonly uploadId: string;
  context: ProgressContext;
  /** 1 for the first attempt; `restart` counts up. */
  attempt: number;
  status: UploadStatus;
  offset: number;
  length: number | null;
  message: string | undefined;
  errorCode: string | undefined;
  nextSeq: number;
  last: ProgressEvent | undefined;
  lastEmitAt: number;
  /** State changed since `last` and waits for the throttle window. */
  dirty: boolean;
  timer: Timer | undefined;
  timerDue: number | undefined;
  retention: Timer | undefined;
  speed: SpeedEstimator;
  /**
   * The byte total `speed` has taken: the stored offset, or a sender's sent bytes when ahead of it;
   * never below `offset`.
   */
  moved: number;
  /** A sender's bytes have started to leave in this run (see `sent`). */
  flowing: boolean;
}

/** The event for `entry` as it stands now; it takes the next seq. */
export function buildEvent(entry: Entry, at: number): ProgressEvent {
  const { status, offset, length } = entry;
  const running = status === 'running';
  let etaSeconds: number | null = null;
  if (status === 'completed') etaSeconds = 0;
  // A sender's bytes still to leave (`moved` runs ahead of the offset there); stored bytes elsewhere.
  else if (running && length !== null) etaSeconds = entry.speed.etaSeconds(Math.max(0, length - entry.moved));
  const event: ProgressEvent = {
    type: 'progress',
    uploadId: entry.uploadId,
    seq: entry.nextSeq++,
    status,
    offset,
    length,
    // A zero-length upload has nothing left to store.
    progress: length === null ? null : length === 0 ? 1 : Math.min(1, Math.max(0, offset / length)),
    bytesPerSecond: running ? entry.speed.bytesPerSecond() : 0,
    etaSeconds,
    timestamp: new Date(at).toISOString(),
    context: entry.context,
  };
  if (entry.message !== undefined) event.message = entry.message;
  if (entry.errorCode !== undefined) event.errorCode = entry.errorCode;
  // Every listener gets the same object; freezing keeps one of them from corrupting it for the rest.
  return Object.freeze(event);
}

/** Every event carries its attempt once there has been a restart; the first attempt's context is as registered. */
export function contextOf(
  init: { filename: string; source: UploadSource; context?: Record<string, unknown> },
  attempt: number,
): ProgressContext {
  return Object.freeze({
    ...init.context,
    filename: init.filename,
    source: init.source,
    ...(attempt > 1 ? { attempt } : {}),
  });
}

export function invalid(message: string): never {
  throw new FerryError('PROGRESS_INVALID_ARGUMENT', message);
}

export function checkBytes(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) invalid(`${name} must be a non-negative integer, got ${value}`);
}

/** What a status change may bring along: its message and code, and the stored bytes as of it. */
export interface TransitionDetail {
  message?: string;
  errorCode?: string;
  offset?: number;
}

/** Takes `offset` as a live upload's stored bytes when it is more than it had; true if it did. */
export function reach(entry: Entry, offset: number | undefined): boolean {
  if (offset === undefined || isTerminal(entry.status) || offset <= entry.offset) return false;
  entry.offset = offset;
  // Sent bytes the speed has already counted are not counted again when they are stored.
  if (offset > entry.moved) {
    entry.moved = offset;
    entry.speed.sample(offset);
  }
  return true;
}

/** A resumed upload's stored offset (see ProgressHub.resumeAt): the speed skips what it has not counted. */
export function resumeTo(entry: Entry, offset: number): void {
  if (offset > entry.moved) {
    entry.speed.skip(offset - entry.moved);
    entry.moved = offset;
  }
  entry.offset = offset;
}

/** A sender's sent total (see ProgressHub.sent); true if the speed took it. */
export function takeSent(entry: Entry, total: number, fresh: (from: number) => SpeedEstimator): boolean {
  if (total <= entry.moved) return false;
  entry.moved = total;
  if (entry.flowing) entry.speed.sample(total);
  else {
    // The first bytes of a run start the clock: the time before them went to requests that carry
    // none (the capability probe, the creation, a HEAD), not to a slow link.
    entry.flowing = true;
    entry.speed = fresh(total);
  }
  return true;
}
