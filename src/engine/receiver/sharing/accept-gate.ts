import { randomBytes } from 'node:crypto';
import { FerryError } from '../../errors';
import { deviceLabel } from './device-label';

/** What a device asks to send; shown on the desktop with Accept and Decline. */
export interface GuestRequest {
  id: string;
  guestId: string;
  userAgent: string;
  /** A short name from the user agent: "Android · Chrome". */
  deviceLabel: string;
  address: string;
  files: { count: number; totalBytes: number; /** The first few names, cleaned for display. */ names: string[] };
  requestedAt: string;
}

/** Decides one request; `signal` aborts when it was decided elsewhere, timed out or sharing ended. */
export type GuestDecider = (request: GuestRequest, signal: AbortSignal) => Promise<boolean>;

export type AskOutcome = 'accepted' | 'declined' | 'waiting';
export type DecisionReason = 'decided' | 'timeout' | 'cancelled';

export type AcceptGateEvent =
  | { type: 'request'; request: GuestRequest }
  | { type: 'decided'; request: GuestRequest; accepted: boolean; reason: DecisionReason };

export interface AcceptGateOptions {
  /** Called for every new request; without one, requests wait for `decide()`. */
  decider?: GuestDecider;
  /** A request nobody answers is declined after this long (default 10 min). */
  timeoutMs?: number;
  /** Requests waiting at once, across all guests (default 16). */
  maxPending?: number;
  onEvent?: (event: AcceptGateEvent) => void;
}

export interface AcceptGate {
  isApproved(guestId: string): boolean;
  /**
   * A guest's request to send files. An approved guest gets 'accepted' at once. Otherwise the request
   * (the guest's pending one, or a new one) is waited on up to `waitMs`; 'waiting' means ask again.
   */
  ask(
    guest: { id: string; userAgent: string; address: string },
    files: GuestRequest['files'],
    waitMs: number,
    signal?: AbortSignal,
  ): Promise<AskOutcome>;
  /** false when the id is unknown (already decided, timed out, cancelled). */
  decide(requestId: string, accept: boolean): boolean;
  pending(): GuestRequest[];
  /** Ends pending requests of these guests (all without an argument), declining them. */
  cancel(guestIds?: ReadonlySet<string>): void;
  /** Forgets approvals too (sharing off). */
  reset(): void;
}

interface Pending {
  request: GuestRequest;
  waiters: Set<(outcome: AskOutcome) => void>;
  timer: ReturnType<typeof setTimeout>;
  abort: AbortController;
}

// Names reach a terminal and the app's UI: no control characters, no bidi overrides, bounded.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const unsafe = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
export const cleanText = (text: unknown, max: number) =>
  typeof text === 'string' ? text.replace(unsafe, '').slice(0, max) : '';
const maxNames = 20;

export function cleanFiles(
  files: { count?: unknown; totalBytes?: unknown; names?: unknown } | undefined,
): GuestRequest['files'] {
  const count = Number(files?.count);
  const totalBytes = Number(files?.totalBytes);
  const names = Array.isArray(files?.names)
    ? files.names
        .slice(0, maxNames)
        .map((name) => cleanText(name, 200))
        .filter(Boolean)
    : [];
  return {
    count: Number.isSafeInteger(count) && count >= 0 ? count : names.length,
    totalBytes: Number.isSafeInteger(totalBytes) && totalBytes >= 0 ? totalBytes : 0,
    names,
  };
}

export function createAcceptGate(options: AcceptGateOptions = {}): AcceptGate {
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const maxPending = options.maxPending ?? 16;
  const approved = new Set<string>();
  const byId = new Map<string, Pending>();
  const byGuest = new Map<string, Pending>();

  const emit = (event: AcceptGateEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      /* a listener's failure must not strand a request */
    }
  };

  function settle(entry: Pending, accepted: boolean, reason: DecisionReason): void {
    if (byId.get(entry.request.id) !== entry) return;
    byId.delete(entry.request.id);
    byGuest.delete(entry.request.guestId);
    clearTimeout(entry.timer);
    entry.abort.abort();
    if (accepted) approved.add(entry.request.guestId);
    for (const waiter of entry.waiters) waiter(accepted ? 'accepted' : 'declined');
    entry.waiters.clear();
    emit({ type: 'decided', request: entry.request, accepted, reason });
  }

  function open(guest: { id: string; userAgent: string; address: string }, files: GuestRequest['files']): Pending {
    if (byId.size >= maxPending)
      throw new FerryError('ACCEPT_QUEUE_FULL', 'Too many devices are waiting for approval; try again shortly', {
        status: 429,
      });
    const request: GuestRequest = {
      id: randomBytes(9).toString('base64url'),
      guestId: guest.id,
      userAgent: cleanText(guest.userAgent, 256),
      deviceLabel: deviceLabel(guest.userAgent),
      address: guest.address,
      files,
      requestedAt: new Date().toISOString(),
    };
    const entry: Pending = {
      request,
      waiters: new Set(),
      abort: new AbortController(),
      timer: setTimeout(() => settle(entry, false, 'timeout'), timeoutMs),
    };
    entry.timer.unref?.();
    byId.set(request.id, entry);
    byGuest.set(guest.id, entry);
    emit({ type: 'request', request });
    if (options.decider) {
      options.decider(request, entry.abort.signal).then(
        (accept) => settle(entry, accept === true, 'decided'),
        () => settle(entry, false, 'decided'),
      );
    }
    return entry;
  }

  return {
    isApproved: (guestId) => approved.has(guestId),

    ask(guest, files, waitMs, signal) {
      if (approved.has(guest.id)) return Promise.resolve('accepted');
      const entry = byGuest.get(guest.id) ?? open(guest, files);
      if (byId.get(entry.request.id) !== entry)
        return Promise.resolve(approved.has(guest.id) ? 'accepted' : 'declined');
      return new Promise<AskOutcome>((resolve) => {
        const done = (outcome: AskOutcome) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', gone);
          entry.waiters.delete(done);
          resolve(outcome);
        };
        const gone = () => done('waiting');
        const timer = setTimeout(gone, waitMs);
        entry.waiters.add(done);
        signal?.addEventListener('abort', gone, { once: true });
      });
    },

    decide(requestId, accept) {
      const entry = byId.get(requestId);
      if (!entry) return false;
      settle(entry, accept, 'decided');
      return true;
    },

    pending: () => [...byId.values()].map((entry) => entry.request),

    cancel(guestIds) {
      for (const entry of [...byId.values()])
        if (!guestIds || guestIds.has(entry.request.guestId)) settle(entry, false, 'cancelled');
    },

    reset() {
      this.cancel();
      approved.clear();
    },
  };
}
