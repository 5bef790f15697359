import { isTerminal, type ProgressEvent } from '../../../shared/progress-event';
import { ClientMessage, wsErrorCodes, type HelloMessage, type WsErrorCode } from '../../../shared/ws-messages';

/** The part of a `ws` WebSocket a connection needs; tests pass a fake. */
export interface WsSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string, callback?: (error?: Error) => void): void;
}

export interface WsConnectionDeps {
  socket: WsSocketLike;
  /** Latest event of every known upload (the hub's snapshot). */
  snapshot: () => ProgressEvent[];
  /** Above this many unsent bytes the socket counts as slow and events are coalesced. */
  highWaterMark: number;
  /** How often a slow socket is re-checked for room. */
  flushIntervalMs: number;
  /** Uploads this client may see at all (a guest: only its own), whatever it subscribes to. */
  visible?: (uploadId: string) => boolean;
}

export interface WsConnection {
  /** Sends `hello`, then the snapshot; live events queue behind it. */
  start(hello: HelloMessage): void;
  /** A live hub event; `json` is its serialized form, shared across connections. */
  push(event: ProgressEvent, json?: string): void;
  receive(data: unknown, isBinary: boolean): void;
  dispose(): void;
  /** Uploads with an event waiting to be sent (at most one each). */
  pendingCount(): number;
}

interface Outgoing {
  event: ProgressEvent;
  json: string | undefined;
}

interface Delivered {
  seq: number;
  terminal: boolean;
}

const open = 1;

/**
 * One WebSocket client's outbox. At most one unsent event per upload is kept (the newest), so a slow
 * or stalled reader costs bounded memory and never pushes back on the upload that produced the events.
 * Per upload, what this client sees has increasing `seq` (hence monotonic offsets), and nothing after
 * a terminal event.
 */
export function createWsConnection(deps: WsConnectionDeps): WsConnection {
  const { socket, highWaterMark, flushIntervalMs } = deps;
  const pending = new Map<string, Outgoing>();
  const delivered = new Map<string, Delivered>();
  let filter: ReadonlySet<string> | null = null;
  let started = false;
  let snapshotDue = false;
  let disposed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pruneAt = 1024;

  const visible = deps.visible ?? (() => true);
  const wanted = (uploadId: string) => visible(uploadId) && (filter === null || filter.has(uploadId));
  const slow = () => socket.bufferedAmount >= highWaterMark;
  const usable = () => !disposed && socket.readyState === open;

  // The write callback fires once bytes leave our buffer: the moment to try the next batch.
  const written = (error?: Error) => {
    if (!error && (pending.size > 0 || snapshotDue) && !slow()) flush();
  };

  function transmit(text: string): void {
    socket.send(text, written);
  }

  function arm(): void {
    if (timer !== undefined || disposed) return;
    timer = setTimeout(() => {
      timer = undefined;
      flush();
    }, flushIntervalMs);
    timer.unref?.();
  }

  /** `delivered` would otherwise remember every upload ever seen; keep only what the hub still knows. */
  function prune(current?: ProgressEvent[]): void {
    if (delivered.size <= pruneAt) return;
    const known = new Set((current ?? deps.snapshot()).map((event) => event.uploadId));
    for (const uploadId of delivered.keys()) if (!known.has(uploadId)) delivered.delete(uploadId);
    pruneAt = Math.max(1024, delivered.size * 2);
  }

  function sendSnapshot(): void {
    snapshotDue = false;
    const all = deps.snapshot();
    const uploads = all.filter((event) => wanted(event.uploadId));
    transmit(JSON.stringify({ type: 'snapshot', uploads }));
    // The snapshot is the new baseline: queued events it already covers are stale.
    for (const event of uploads) {
      delivered.set(event.uploadId, { seq: event.seq, terminal: isTerminal(event.status) });
      const queued = pending.get(event.uploadId);
      if (queued && queued.event.seq <= event.seq) pending.delete(event.uploadId);
    }
    prune(all);
  }

  function flush(): void {
    if (!usable() || !started) return;
    if (snapshotDue) {
      if (slow()) return arm();
      sendSnapshot();
    }
    for (const [uploadId, item] of pending) {
      if (slow()) break;
      pending.delete(uploadId);
      delivered.set(uploadId, { seq: item.event.seq, terminal: isTerminal(item.event.status) });
      transmit(item.json ?? JSON.stringify(item.event));
    }
    prune();
    if (pending.size > 0) arm();
  }

  /** Errors are advisory: a client that floods us and does not read gets no more queued bytes. */
  function sendError(code: WsErrorCode, message: string): void {
    if (usable() && !slow()) transmit(JSON.stringify({ type: 'error', code, message }));
  }

  function subscribe(uploadIds: string[] | undefined): void {
    filter = uploadIds && uploadIds.length > 0 ? new Set(uploadIds) : null;
    for (const uploadId of pending.keys()) if (!wanted(uploadId)) pending.delete(uploadId);
    // Several subscribes while the socket is slow collapse into one snapshot.
    snapshotDue = true;
    flush();
  }

  return {
    start(hello) {
      if (!usable() || started) return;
      started = true;
      transmit(JSON.stringify(hello));
      snapshotDue = true;
      flush();
    },

    push(event, json) {
      if (disposed || !wanted(event.uploadId)) return;
      const last = delivered.get(event.uploadId);
      if (last && (last.terminal || event.seq <= last.seq)) return;
      const queued = pending.get(event.uploadId);
      // A queued terminal event is final; older events never overtake newer ones.
      if (queued && (isTerminal(queued.event.status) || event.seq <= queued.event.seq)) return;
      pending.set(event.uploadId, { event, json });
      if (!snapshotDue && !slow()) flush();
      else arm();
    },

    receive(data, isBinary) {
      if (isBinary) return sendError(wsErrorCodes.binaryUnsupported, 'Send JSON text messages');
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(data));
      } catch {
        return sendError(wsErrorCodes.invalidJson, 'The message is not valid JSON');
      }
      const result = ClientMessage.safeParse(parsed);
      if (!result.success) {
        const issue = result.error.issues[0];
        const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
        return sendError(wsErrorCodes.invalidMessage, `Unsupported message${where}: ${issue?.message ?? 'invalid'}`);
      }
      subscribe(result.data.uploadIds);
    },

    dispose() {
      disposed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      pending.clear();
      delivered.clear();
    },

    pendingCount: () => pending.size,
  };
}
