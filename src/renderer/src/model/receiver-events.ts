import type { ProgressEvent } from '../../../shared/progress-event';
import type { ServerMessage } from '../../../shared/ws-messages';

/** The latest receiver event per upload id. Replaced whole by a snapshot, never mutated. */
export type ReceiverEvents = ReadonlyMap<string, ProgressEvent>;

export const noEvents: ReceiverEvents = new Map();

/**
 * Folds one `/ws` message into the events. Returns the same map when nothing changed, so callers
 * can skip work. A progress event with `seq` at or below the known one is stale (a coalesced or
 * replayed frame) and is ignored: per upload, `seq` and `offset` only grow.
 */
export function applyServerMessage(events: ReceiverEvents, message: ServerMessage): ReceiverEvents {
  if (message.type === 'snapshot') return new Map(message.uploads.map((event) => [event.uploadId, event]));
  if (!isNewer(events, message)) return events;
  const next = new Map(events);
  next.set(message.uploadId, message);
  return next;
}

function isNewer(events: ReceiverEvents, message: ServerMessage): message is ProgressEvent {
  if (message.type !== 'progress') return false;
  const known = events.get(message.uploadId);
  return !known || message.seq > known.seq;
}

/**
 * `applyServerMessage` for a map its owner keeps private: a progress event is set in place (copying
 * thousands of entries for each of hundreds of events a second is what made a busy queue stutter).
 * Returns the map to keep (a new one after a snapshot) and whether anything changed.
 */
export function foldServerMessage(
  events: Map<string, ProgressEvent>,
  message: ServerMessage,
): { events: Map<string, ProgressEvent>; changed: boolean } {
  if (message.type === 'snapshot')
    return { events: new Map(message.uploads.map((event) => [event.uploadId, event])), changed: true };
  if (!isNewer(events, message)) return { events, changed: false };
  events.set(message.uploadId, message);
  return { events, changed: true };
}

/** A progress message that tells the received list it has a new file. */
export function isNewlyCompleted(before: ReceiverEvents, message: ServerMessage): boolean {
  if (message.type !== 'progress' || message.status !== 'completed') return false;
  const known = before.get(message.uploadId);
  return !known || (known.status !== 'completed' && message.seq > known.seq);
}
