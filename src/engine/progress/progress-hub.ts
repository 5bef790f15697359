import { canTransition, isTerminal, type UploadStatus } from '../../shared/progress-event';
import { FerryError } from '../errors';
import { createEventDispatcher } from './event-dispatcher';
import type { ProgressHub, ProgressHubOptions } from './progress-hub-api';
import {
  buildEvent,
  checkBytes,
  contextOf,
  invalid,
  reach,
  resumeTo,
  takeSent,
  type Entry,
  type TransitionDetail,
} from './progress-entry';
import { createSpeedEstimator, type SpeedEstimator } from './speed-estimator';

export type { ProgressHub, ProgressHubOptions, ProgressRegistration, ProgressRestart } from './progress-hub-api';

/** setTimeout treats longer delays as 1 ms, so such retention means "keep forever". */
const maxTimerMs = 2 ** 31 - 1;

export function createProgressHub(options: ProgressHubOptions = {}): ProgressHub {
  const { maxHz = 10, now = Date.now, retainTerminalMs = 10 * 60_000, onTransition, onListenerError } = options;
  if (!Number.isFinite(maxHz) || maxHz <= 0) invalid(`maxHz must be a positive number, got ${maxHz}`);
  if (Number.isNaN(retainTerminalMs)) invalid('retainTerminalMs must be a number');
  const minIntervalMs = 1000 / maxHz;
  const idleRefreshMs = Math.max(options.idleRefreshMs ?? 1000, minIntervalMs);

  const entries = new Map<string, Entry>();
  const dispatcher = createEventDispatcher({ onTransition, onListenerError });
  // Every entry point that changes state runs in a batch: listeners that call back in see finished changes.
  const batch = dispatcher.batch;
  let closed = false;

  const newEstimator = (offset: number): SpeedEstimator => {
    const speed = createSpeedEstimator({ now });
    speed.sample(offset);
    return speed;
  };
  /** A fresh estimate from `offset`: a new run, or a new attempt. */
  const restartSpeed = (entry: Entry, offset: number) => {
    entry.speed = newEstimator(offset);
    entry.moved = offset;
    entry.flowing = false;
  };

  function emit(entry: Entry, transition: boolean): void {
    const at = now();
    const event = buildEvent(entry, at);
    entry.last = event;
    entry.lastEmitAt = at;
    entry.dirty = false;
    dispatcher.deliver(event, transition);
  }

  function clearTimer(entry: Entry): void {
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.timerDue = undefined;
  }

  /** One timer per upload: the trailing flush when dirty, else an idle refresh while a rate is still shown. */
  function arm(entry: Entry): void {
    let due: number | undefined;
    if (entry.dirty) due = entry.lastEmitAt + minIntervalMs;
    else if (entry.status === 'running' && (entry.last?.bytesPerSecond ?? 0) > 0 && Number.isFinite(idleRefreshMs)) {
      due = entry.lastEmitAt + idleRefreshMs;
    }
    if (due === entry.timerDue) return;
    clearTimer(entry);
    if (due === undefined) return;
    // Capped at the interval itself so a clock that steps backwards cannot stall delivery.
    const delay = Math.min(Math.max(0, Math.ceil(due - now())), Math.ceil(due - entry.lastEmitAt));
    entry.timerDue = due;
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      entry.timerDue = undefined;
      if (entries.get(entry.uploadId) !== entry || isTerminal(entry.status)) return;
      batch(() => {
        emit(entry, false);
        arm(entry);
      });
    }, delay);
  }

  function markDirty(entry: Entry): void {
    entry.dirty = true;
    if (now() - entry.lastEmitAt >= minIntervalMs) {
      emit(entry, false);
    }
    arm(entry);
  }

  function flush(entry: Entry): void {
    if (entry.dirty) emit(entry, false);
  }

  function drop(entry: Entry): void {
    clearTimer(entry);
    if (entry.retention !== undefined) clearTimeout(entry.retention);
    if (entries.get(entry.uploadId) === entry) entries.delete(entry.uploadId);
  }

  function finish(entry: Entry): void {
    clearTimer(entry);
    if (retainTerminalMs <= 0) drop(entry);
    else if (retainTerminalMs <= maxTimerMs) {
      entry.retention = setTimeout(() => drop(entry), retainTerminalMs);
      // A finished upload lingering in snapshots is no reason to keep the process alive.
      entry.retention.unref?.();
    }
  }

  /** Caller has already flushed; the status event then carries the state as of the change. */
  function applyStatus(entry: Entry, status: UploadStatus, detail?: TransitionDetail): void {
    entry.status = status;
    entry.message = detail?.message;
    entry.errorCode = detail?.errorCode;
    // A fresh estimator per run, so time spent paused or queued does not drag the rate down.
    if (status === 'running') restartSpeed(entry, entry.offset);
    emit(entry, true);
    if (isTerminal(status)) finish(entry);
    else arm(entry);
  }

  const live = (uploadId: string): Entry | undefined => {
    const entry = entries.get(uploadId);
    return entry && !isTerminal(entry.status) ? entry : undefined;
  };

  const hub: ProgressHub = {
    register: (init) =>
      batch(() => {
        if (closed) throw new FerryError('PROGRESS_HUB_CLOSED', 'The progress hub is closed');
        if (typeof init.uploadId !== 'string' || init.uploadId === '') invalid('uploadId must be a non-empty string');
        if (entries.has(init.uploadId)) return;
        const offset = init.offset ?? 0;
        checkBytes('offset', offset);
        if (init.length !== null) checkBytes('length', init.length);
        const entry: Entry = {
          uploadId: init.uploadId,
          context: contextOf(init, 1),
          attempt: 1,
          status: init.status ?? 'created',
          offset,
          length: init.length,
          message: undefined,
          errorCode: undefined,
          nextSeq: 0,
          last: undefined,
          lastEmitAt: 0,
          dirty: false,
          timer: undefined,
          timerDue: undefined,
          retention: undefined,
          speed: newEstimator(offset),
          moved: offset,
          flowing: false,
        };
        entries.set(entry.uploadId, entry);
        // Registration restores or creates state; it is not a transition, so onTransition is not called.
        emit(entry, false);
        if (isTerminal(entry.status)) finish(entry);
        else arm(entry);
      }),

    restart: (init) =>
      batch(() => {
        const entry = entries.get(init.uploadId);
        if (!entry) return hub.register(init);
        const offset = init.offset ?? 0;
        checkBytes('offset', offset);
        if (init.length !== null) checkBytes('length', init.length);
        // The old attempt's last state goes out first, so its stream ends as it stood.
        flush(entry);
        clearTimer(entry);
        if (entry.retention !== undefined) clearTimeout(entry.retention);
        entry.retention = undefined;
        entry.attempt += 1;
        entry.context = contextOf(init, entry.attempt);
        entry.offset = offset;
        entry.length = init.length;
        restartSpeed(entry, offset);
        applyStatus(entry, 'created', { message: init.message, errorCode: init.errorCode });
      }),

    advance: (uploadId, offset) =>
      batch(() => {
        checkBytes('offset', offset);
        const entry = live(uploadId);
        // Offsets count stored bytes, which never shrink: a lower value is a stale report.
        if (!entry || offset <= entry.offset) return;
        if (entry.status === 'running') {
          if (reach(entry, offset)) markDirty(entry);
          return;
        }
        // Bytes arriving for a created or paused upload mean it is running again.
        flush(entry);
        entry.offset = offset;
        applyStatus(entry, 'running');
      }),

    resumeAt: (uploadId, offset) =>
      batch(() => {
        checkBytes('offset', offset);
        const entry = live(uploadId);
        if (!entry || offset <= entry.offset) return;
        if (entry.status !== 'running') return hub.advance(uploadId, offset);
        resumeTo(entry, offset);
        markDirty(entry);
      }),

    sent: (uploadId, total) =>
      batch(() => {
        checkBytes('sent', total);
        const entry = live(uploadId);
        if (entry?.status === 'running' && takeSent(entry, total, newEstimator)) markDirty(entry);
      }),

    setLength: (uploadId, length) =>
      batch(() => {
        checkBytes('length', length);
        const entry = live(uploadId);
        if (!entry || entry.length === length) return;
        if (entry.length !== null) {
          // tus: once set, Upload-Length must not change.
          throw new FerryError(
            'PROGRESS_LENGTH_CONFLICT',
            `Upload ${uploadId} already has length ${entry.length}, not ${length}`,
          );
        }
        entry.length = length;
        markDirty(entry);
      }),

    transition: (uploadId, status, detail) =>
      batch(() => {
        if (detail?.offset !== undefined) checkBytes('offset', detail.offset);
        const entry = entries.get(uploadId);
        if (!entry || !canTransition(entry.status, status)) return false;
        if (entry.status === status) {
          // Same status: only new bytes, message or code are worth an event, and it can wait for the throttle.
          const news =
            detail !== undefined && (detail.message !== entry.message || detail.errorCode !== entry.errorCode);
          if (news) {
            entry.message = detail.message;
            entry.errorCode = detail.errorCode;
          }
          if (reach(entry, detail?.offset) || news) markDirty(entry);
          return true;
        }
        flush(entry);
        // Bytes that came with the change go out in its event, not in one of their own before it.
        reach(entry, detail?.offset);
        applyStatus(entry, status, detail);
        return true;
      }),

    get: (uploadId) => entries.get(uploadId)?.last,

    snapshot: () => [...entries.values()].flatMap((entry) => (entry.last ? [entry.last] : [])),

    subscribe(listener) {
      return closed ? () => {} : dispatcher.subscribe(listener);
    },

    forget(uploadId) {
      const entry = entries.get(uploadId);
      if (entry) drop(entry);
    },

    close() {
      closed = true;
      for (const entry of entries.values()) drop(entry);
      entries.clear();
      dispatcher.clear();
    },
  };
  return hub;
}
