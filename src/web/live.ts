// Live progress from the receiver's /ws, scoped by the guest token to this device's own uploads.
import type { ProgressEvent } from '../shared/progress-event';

export interface LiveHandlers {
  /** Every upload of this device the receiver knows of, on each (re)connect. */
  snapshot(uploads: ProgressEvent[]): void;
  progress(event: ProgressEvent): void;
  /** The receiver ended this device's access (sharing off or revoked). */
  ended(): void;
  /** The connection dropped for another reason; it is retried by itself. */
  lost?(): void;
}

type Incoming = { type: 'hello' } | { type: 'snapshot'; uploads: ProgressEvent[] } | ProgressEvent | { type: 'error' };

/** Connects and keeps reconnecting (1 s, doubling to 15 s) until `stop()`; a reconnect brings a fresh snapshot. */
export function connectLive(token: string, handlers: LiveHandlers): { stop(): void; reconnectNow(): void } {
  let socket: WebSocket | undefined;
  let delay = 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  function open(): void {
    if (stopped) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    // Browsers cannot set headers on a WebSocket: the token rides in a subprotocol entry.
    const ws = new WebSocket(url, ['ferry.v1', `token.${token}`]);
    socket = ws;
    ws.onopen = () => {
      delay = 1000;
    };
    ws.onmessage = (message) => {
      let data: Incoming;
      try {
        data = JSON.parse(String(message.data)) as Incoming;
      } catch {
        return;
      }
      if (data.type === 'snapshot') handlers.snapshot(data.uploads);
      else if (data.type === 'progress') handlers.progress(data);
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = undefined;
      // 1008: the receiver ended this guest's access; a reconnect would only be refused.
      if (event.code === 1008) return handlers.ended();
      handlers.lost?.();
      schedule();
    };
  }

  function schedule(): void {
    if (stopped || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      open();
    }, delay);
    delay = Math.min(15_000, delay * 2);
  }

  open();
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      socket?.close();
    },
    reconnectNow() {
      if (socket || stopped) return;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      delay = 1000;
      open();
    },
  };
}
