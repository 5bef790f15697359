import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How long a closing connection keeps draining unread request bytes so its last reply survives. */
const lingerMs = 2_000;
/** How long shutdown waits at least for request handlers it cut off, even past the grace period. */
const minSettleMs = 500;

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the receiver's HTTP server has open, so shutdown can wait for it. */
export interface ServerActivity {
  readonly connections: Set<Socket>;
  /**
   * Serves each request with `handle`; `onError` answers one whose handler threw. Handlers still
   * running are tracked until they settle.
   */
  serve(
    handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
    onError: (error: unknown, res: ServerResponse) => void,
  ): void;
  /** Gives replies just sent (503s) a moment to reach their clients, up to `deadline`. */
  lingerUntil(deadline: number): Promise<void>;
  /**
   * After the connections are cut: waits for handlers still finishing (a multipart part removed, a
   * record written), until `deadline` but at least briefly, so nothing writes in the folder after.
   */
  settleHandlers(deadline: number): Promise<void>;
}

export function trackServerActivity(server: Server): ServerActivity {
  const connections = new Set<Socket>();
  const lingering = new Set<Socket>();
  const handling = new Set<Promise<void>>();
  let openRequests = 0;
  server.on('connection', (socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    // Lingering close: a reply sent before the body was read (409, 413, interrupted, shutdown) is
    // followed by Node closing the socket at once; the unread bytes turn that close into an RST,
    // which can wipe the reply before the client reads it. Half-close, drain briefly, then close.
    socket.destroySoon = () => {
      lingering.add(socket);
      if (socket.writable) socket.end();
      const linger = setTimeout(() => socket.destroy(), lingerMs);
      linger.unref();
      socket.once('end', () => socket.destroy());
      socket.once('close', () => {
        clearTimeout(linger);
        lingering.delete(socket);
      });
    };
  });
  return {
    connections,
    serve(handle, onError) {
      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        openRequests++;
        res.once('close', () => openRequests--);
        // Keep reading (and discarding) an unread body after the reply, so the lingering close can drain it.
        res.once('finish', () => {
          if (!req.complete) req.resume();
        });
        const handled = handle(req, res).catch((error: unknown) => onError(error, res));
        handling.add(handled);
        void handled.finally(() => handling.delete(handled));
      });
    },
    async lingerUntil(deadline) {
      const until = Math.min(deadline, Date.now() + lingerMs);
      while ((openRequests > 0 || lingering.size > 0) && Date.now() < until) await tick(20);
    },
    async settleHandlers(deadline) {
      const until = Math.max(deadline, Date.now() + minSettleMs);
      while (handling.size > 0 && Date.now() < until) await tick(10);
    },
  };
}
