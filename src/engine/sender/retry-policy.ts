import { RequestError } from 'got';
import { StallError, SourceChangedError, TusRequestError } from './sender-errors';

export type RetryDecision =
  | { kind: 'retry'; rehead: boolean }
  /** 429, or 503 with Retry-After: every upload to that target waits. */
  | { kind: 'pause-target'; waitMs: number }
  /** The target does not answer at all: its jobs wait until it does. */
  | { kind: 'offline' }
  /** The host name does not resolve and the host never answered: a few tries, then fail. */
  | { kind: 'host-not-found' }
  /** The stored upload is gone (404/410) or the source changed: start a new upload. */
  | { kind: 'restart' }
  | { kind: 'final' };

const offlineCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENETDOWN']);

/**
 * Retry 5xx, network errors, 409 (re-HEAD), 423 and 429; any other 4xx is final. `hostAnswered`: the
 * target's host has sent some HTTP answer before (in this pool).
 */
export function classifyError(error: unknown, resuming: boolean, hostAnswered: boolean): RetryDecision {
  if (error instanceof StallError) return { kind: 'retry', rehead: true };
  if (error instanceof SourceChangedError) return { kind: 'restart' };
  if (error instanceof TusRequestError) {
    // The receiver checked the whole file and it did not match: send it again as a new upload.
    if (error.code === 'SHA256_MISMATCH') return { kind: 'restart' };
    const status = error.httpStatus;
    if (status === undefined) return { kind: 'retry', rehead: true };
    if (status === 429 || (status === 503 && error.retryAfterMs !== undefined))
      return { kind: 'pause-target', waitMs: error.retryAfterMs ?? 5_000 };
    if ((status === 404 || status === 410) && resuming) return { kind: 'restart' };
    if (status === 409 || status === 423 || status === 460 || status >= 500) return { kind: 'retry', rehead: true };
    return { kind: 'final' };
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // Resolvers also answer ENOTFOUND while the machine is offline, so it means "no such host" (a typo)
  // only for a host that has never answered: not in this run, and not before (a stored upload URL
  // came from it, say after a restart without network). EAI_AGAIN is a passing failure either way.
  if (code === 'ENOTFOUND' && !hostAnswered && !resuming) return { kind: 'host-not-found' };
  if (code && offlineCodes.has(code)) return { kind: 'offline' };
  if (error instanceof RequestError) return { kind: 'retry', rehead: true };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT' || code === 'ERR_STREAM_PREMATURE_CLOSE')
    return { kind: 'retry', rehead: true };
  return { kind: 'final' };
}

export interface Backoff {
  /** Delay before the next attempt, or undefined when attempts are exhausted. */
  next(): number | undefined;
  /** Bytes were acknowledged: start counting from zero again. */
  reset(): void;
  readonly attempts: number;
}

/**
 * Exponential backoff with full jitter: the first retry is immediate, then random(0, base) with
 * base following `delays` and doubling after it, capped.
 */
export function createBackoff(
  options: { delays?: number[]; maxAttempts?: number; capMs?: number; random?: () => number } = {},
): Backoff {
  const delays = options.delays ?? [0, 1_000, 3_000, 5_000];
  const maxAttempts = options.maxAttempts ?? 12;
  const capMs = options.capMs ?? 30_000;
  const random = options.random ?? Math.random;
  let attempts = 0;
  return {
    next() {
      if (attempts >= maxAttempts) return undefined;
      const index = attempts;
      attempts += 1;
      const last = delays[delays.length - 1] ?? 1_000;
      const base = index < delays.length ? delays[index]! : Math.min(capMs, last * 2 ** (index - delays.length + 1));
      return Math.round(random() * base);
    },
    reset() {
      attempts = 0;
    },
    get attempts() {
      return attempts;
    },
  };
}
