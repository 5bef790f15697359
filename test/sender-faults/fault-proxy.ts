import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy for fault tests. Every connection is a link (client ⇄ upstream) whose behaviour can
 * change while it runs: pass bytes, cut (FIN) or reset (RST) after N more upstream bytes, or turn
 * into a black hole that reads everything and never answers or closes. Latency and packet slicing
 * shape whatever is still forwarded.
 */
export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'cut'; afterBytes: number }
  | { kind: 'reset'; afterBytes: number }
  | { kind: 'black-hole'; afterBytes?: number };

export interface Shaping {
  /** Delay before each chunk read from a socket is forwarded. */
  latencyMs?: number;
  /** Forward in pieces of at most this many bytes, one write per event-loop turn (separate packets). */
  sliceBytes?: number;
}

export interface ProxyStats {
  connections: number;
  open: number;
  /** Bytes read from clients (what a sender put on the wire). */
  upstreamBytes: number;
  downstreamBytes: number;
  cuts: number;
  resets: number;
  blackHoles: number;
}

export interface FaultProxy {
  readonly port: number;
  readonly url: string;
  readonly stats: ProxyStats;
  /** Behaviour for new connections; with `live`, also for open ones (their byte budget starts now). */
  setMode(mode: FaultMode, options?: { live?: boolean }): void;
  /** One-shot faults in order: the connection carrying the Nth upstream byte from now gets the first one. */
  arm(...modes: Exclude<FaultMode, { kind: 'pass' }>[]): void;
  /** Faults armed and not yet fired. */
  readonly armed: number;
  setShaping(shaping: Shaping): void;
  /** The network goes away: refuse new connections and drop open ones (RST). */
  stopListening(): Promise<void>;
  /** Back on the same port. */
  resumeListening(): Promise<void>;
  close(): Promise<void>;
}

interface Link {
  client: Socket;
  upstream: Socket;
  mode: FaultMode;
  /** Upstream bytes left before `mode` fires. */
  budget: number;
  dead: boolean;
  swallowing: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

export async function createFaultProxy(target: { host?: string; port: number }): Promise<FaultProxy> {
  const host = target.host ?? '127.0.0.1';
  const stats: ProxyStats = {
    connections: 0,
    open: 0,
    upstreamBytes: 0,
    downstreamBytes: 0,
    cuts: 0,
    resets: 0,
    blackHoles: 0,
  };
  const links = new Set<Link>();
  let defaultMode: FaultMode = { kind: 'pass' };
  let shaping: Shaping = {};
  const pending: Exclude<FaultMode, { kind: 'pass' }>[] = [];
  let pendingBudget = 0;

  const budgetOf = (mode: FaultMode) => (mode.kind === 'pass' ? Infinity : (mode.afterBytes ?? 0));

  function fire(link: Link, mode: FaultMode) {
    if (link.dead || link.swallowing) return;
    if (mode.kind === 'cut') {
      stats.cuts += 1;
      link.dead = true;
      link.client.end();
      link.upstream.end();
      // FIN first; whatever the peers still send is dropped, and the sockets go shortly after.
      setTimeout(() => (link.client.destroy(), link.upstream.destroy()), 200).unref();
    } else if (mode.kind === 'reset') {
      stats.resets += 1;
      link.dead = true;
      // An RST in the same tick as the last write goes out as a FIN on Linux: let the write settle.
      setTimeout(() => (link.client.resetAndDestroy(), link.upstream.resetAndDestroy()), 5);
    } else if (mode.kind === 'black-hole') {
      stats.blackHoles += 1;
      // Keep both sockets open and keep reading, so neither peer learns anything: no data, no FIN.
      link.swallowing = true;
    }
  }

  /** How many of `length` upstream bytes may still be forwarded before a fault fires on this link. */
  function admit(link: Link, length: number): { forward: number; then?: FaultMode } {
    let forward = length;
    let then: FaultMode | undefined;
    if (link.budget < forward) {
      forward = link.budget;
      then = link.mode;
    }
    if (pending.length > 0 && pendingBudget < forward) {
      forward = pendingBudget;
      then = pending[0];
    }
    link.budget -= forward;
    if (pending.length > 0) {
      pendingBudget -= forward;
      if (then === pending[0]) {
        pending.shift();
        pendingBudget = pending.length > 0 ? budgetOf(pending[0]!) : 0;
      }
    }
    return { forward, then };
  }

  async function forward(link: Link, to: Socket, data: Buffer) {
    const { latencyMs = 0, sliceBytes = 0 } = shaping;
    if (latencyMs > 0) await sleep(latencyMs);
    const step = sliceBytes > 0 ? sliceBytes : data.length;
    for (let at = 0; at < data.length; at += step) {
      if (link.dead || link.swallowing || to.destroyed) return;
      const ok = to.write(data.subarray(at, at + step));
      if (!ok) await new Promise((resolve) => to.once('drain', resolve).once('close', resolve));
      if (sliceBytes > 0) await nextTurn();
    }
  }

  /** Reads one direction chunk by chunk; the source pauses while a chunk is shaped and written. */
  function pump(link: Link, from: Socket, to: Socket, upstreamDirection: boolean) {
    from.on('data', (data: Buffer) => {
      if (upstreamDirection) stats.upstreamBytes += data.length;
      else stats.downstreamBytes += data.length;
      if (link.dead || link.swallowing) return;
      let chunk = data;
      let then: FaultMode | undefined;
      if (upstreamDirection) {
        const admitted = admit(link, data.length);
        chunk = data.subarray(0, admitted.forward);
        then = admitted.then;
      }
      from.pause();
      void forward(link, to, chunk).then(() => {
        if (then) fire(link, then);
        if (!from.destroyed) from.resume();
      });
    });
    from.on('end', () => {
      // A real close travels on, except out of a black hole or after a fault already decided it.
      if (!link.dead && !link.swallowing) to.end();
    });
  }

  function accept(client: Socket) {
    stats.connections += 1;
    stats.open += 1;
    client.setNoDelay(true);
    const upstream = connect({ host, port: target.port });
    upstream.setNoDelay(true);
    const link: Link = {
      client,
      upstream,
      mode: defaultMode,
      budget: budgetOf(defaultMode),
      dead: false,
      swallowing: false,
    };
    links.add(link);
    // A black-holed link whose peer gives up stays silent towards the other peer; a faulted one
    // closes the way the fault decided (a plain destroy here would turn a pending RST into a FIN).
    const drop = (other: Socket) => () => {
      if (!link.swallowing && !link.dead) other.destroy();
    };
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    client.on('close', drop(upstream));
    upstream.on('close', drop(client));
    client.on('close', () => {
      if (upstream.destroyed) forgetLink();
    });
    upstream.on('close', () => {
      if (client.destroyed) forgetLink();
    });
    let forgotten = false;
    function forgetLink() {
      if (forgotten) return;
      forgotten = true;
      stats.open -= 1;
      links.delete(link);
    }
    if (link.budget === 0) fire(link, link.mode);
    pump(link, client, upstream, true);
    pump(link, upstream, client, false);
  }

  let server: Server = createServer({ allowHalfOpen: true }, accept);
  let port = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;

  const destroyAll = () => {
    for (const link of links) {
      link.client.destroy();
      link.upstream.destroy();
    }
  };

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stats,
    setMode(mode, options = {}) {
      defaultMode = mode;
      if (!options.live) return;
      for (const link of links) {
        link.mode = mode;
        link.budget = budgetOf(mode);
        if (mode.kind === 'pass') continue;
        if (link.budget === 0) fire(link, mode);
      }
    },
    arm(...modes) {
      if (pending.length === 0 && modes.length > 0) pendingBudget = budgetOf(modes[0]!);
      pending.push(...modes);
    },
    get armed() {
      return pending.length;
    },
    setShaping(next) {
      shaping = { ...next };
    },
    async stopListening() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const link of links) {
          link.client.resetAndDestroy();
          link.upstream.destroy();
        }
      });
    },
    async resumeListening() {
      server = createServer({ allowHalfOpen: true }, accept);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
    },
    async close() {
      destroyAll();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
