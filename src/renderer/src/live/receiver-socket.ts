import { ServerMessage, wsSubprotocol } from '../../../shared/ws-messages';

/** The part of the browser's WebSocket this uses, so tests can hand in a fake. */
export interface SocketLike {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}

export type SocketStatus = 'connecting' | 'open' | 'closed';

export interface ReceiverSocketDeps {
  /** `http://127.0.0.1:PORT` from `app:info`. */
  origin: string;
  token: string;
  createSocket(url: string, protocols: string[]): SocketLike;
  onMessage(message: ServerMessage): void;
  onStatus(status: SocketStatus): void;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  random?: () => number;
}

export interface ReceiverSocket {
  start(): void;
  stop(): void;
}

export function receiverSocketUrl(origin: string, token: string): string {
  return `${origin.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`;
}

const firstDelayMs = 500;
const maxDelayMs = 10_000;

/**
 * Keeps one connection to the receiver's `/ws` open. A lost connection comes back with growing,
 * jittered delays (0.5 s doubling to 10 s); each new connection starts with a snapshot, which
 * replaces what the window knew, so nothing missed while away is left stale.
 */
export function createReceiverSocket(deps: ReceiverSocketDeps): ReceiverSocket {
  const random = deps.random ?? Math.random;
  let socket: SocketLike | undefined;
  let timer: unknown;
  let failures = 0;
  let stopped = true;

  const scheduleReconnect = () => {
    if (stopped) return;
    const base = Math.min(maxDelayMs, firstDelayMs * 2 ** failures);
    failures += 1;
    timer = deps.setTimer(connect, Math.round(base * (0.8 + random() * 0.4)));
  };

  function connect() {
    timer = undefined;
    if (stopped) return;
    deps.onStatus('connecting');
    let current: SocketLike;
    try {
      current = deps.createSocket(receiverSocketUrl(deps.origin, deps.token), [wsSubprotocol]);
    } catch {
      deps.onStatus('closed');
      scheduleReconnect();
      return;
    }
    socket = current;
    current.onmessage = (event) => {
      if (socket !== current || typeof event.data !== 'string') return;
      let json: unknown;
      try {
        json = JSON.parse(event.data);
      } catch {
        return;
      }
      const parsed = ServerMessage.safeParse(json);
      if (!parsed.success) return;
      if (parsed.data.type === 'hello') {
        failures = 0;
        deps.onStatus('open');
      }
      deps.onMessage(parsed.data);
    };
    current.onclose = () => {
      if (socket !== current) return;
      socket = undefined;
      deps.onStatus('closed');
      scheduleReconnect();
    };
    // An error is always followed by close, which reconnects.
    current.onerror = () => undefined;
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      connect();
    },
    stop() {
      stopped = true;
      if (timer !== undefined) deps.clearTimer(timer);
      timer = undefined;
      const current = socket;
      socket = undefined;
      current?.close(1000, 'window closed');
    },
  };
}
