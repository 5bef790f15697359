import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ProgressEvent } from '../../../shared/progress-event';
import { subscribeLimits, type HelloMessage, type WsLimits } from '../../../shared/ws-messages';
import { FerryError } from '../../errors';
import type { ProgressHub } from '../../progress';
import type { AccessPolicy, AccessScope } from '../http/access-policy';
import { createWsConnection, type WsConnection } from './ws-connection';
import { chooseSubprotocol, createUpgradeGate, requestUrl, writeRefusal } from './ws-upgrade-gate';

export interface WebSocketEndpointDeps {
  hub: ProgressHub;
  policy: AccessPolicy;
  maxClients: number;
  /** Largest client frame accepted, in bytes (default 16 KiB); a bigger one closes the socket with 1009. */
  maxPayload?: number;
  info: () => Record<string, unknown>;
  /** Ping interval; a client that missed the previous pong is terminated (default 30 s). */
  heartbeatMs?: number;
  /** Unsent bytes above which a client counts as slow and gets coalesced events (default 64 KiB). */
  highWaterMark?: number;
  /** How often a slow client's queue is retried (default 50 ms). */
  flushIntervalMs?: number;
  /** After close(), clients that have not finished the close handshake are cut off this late (default 1 s). */
  closeGraceMs?: number;
  /** Which uploads a client with this scope may see; undefined: all of them. */
  visibleTo?: (scope: AccessScope) => ((uploadId: string) => boolean) | undefined;
}

export interface WebSocketEndpoint {
  handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void;
  close(): void;
  clientCount(): number;
  /** Closes the sockets of these guests (every guest with 'all'), e.g. when their access ends. */
  disconnectGuests(guestIds: ReadonlySet<string> | 'all'): void;
}

interface Client {
  connection: WsConnection;
  alive: boolean;
  guestId: string | undefined;
}

/** Guests never take the app's sockets: together they get half, one device a few. */
const guestLimits = (maxClients: number) => ({ all: Math.max(1, Math.floor(maxClients / 2)), each: 4 });
const guestRefusal = () => new FerryError('WS_TOO_MANY_CLIENTS', 'Too many WebSocket clients', { status: 503 });

export function createWebSocketEndpoint(deps: WebSocketEndpointDeps): WebSocketEndpoint {
  const maxPayload = deps.maxPayload ?? 16 * 1024;
  const heartbeatMs = deps.heartbeatMs ?? 30_000;
  const highWaterMark = deps.highWaterMark ?? 64 * 1024;
  const flushIntervalMs = deps.flushIntervalMs ?? 50;
  const closeGraceMs = deps.closeGraceMs ?? 1_000;
  const limits: WsLimits = {
    maxPayload,
    maxClients: deps.maxClients,
    heartbeatMs,
    maxSubscribeIds: subscribeLimits.maxIds,
  };

  const clients = new Map<WebSocket, Client>();
  let closed = false;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload,
    perMessageDeflate: false,
    // We track clients ourselves; the server's own set would be a second copy.
    clientTracking: false,
    handleProtocols: (offered) => chooseSubprotocol(offered),
  });
  const gate = createUpgradeGate({
    policy: deps.policy,
    maxClients: deps.maxClients,
    clientCount: () => clients.size,
    closed: () => closed,
  });

  // One hub subscription fans out to every client, serializing each event once.
  const unsubscribe = deps.hub.subscribe((event: ProgressEvent) => {
    if (clients.size === 0) return;
    const json = JSON.stringify(event);
    for (const client of clients.values()) client.connection.push(event, json);
  });

  const heartbeat = setInterval(() => {
    for (const [ws, client] of clients) {
      if (!client.alive) {
        ws.terminate();
        continue;
      }
      client.alive = false;
      ws.ping();
    }
  }, heartbeatMs);
  heartbeat.unref();

  function onConnection(ws: WebSocket, scope: AccessScope): void {
    const visible = deps.visibleTo?.(scope);
    const connection = createWsConnection({
      socket: ws,
      snapshot: () => deps.hub.snapshot(),
      highWaterMark,
      flushIntervalMs,
      ...(visible ? { visible } : {}),
    });
    const client: Client = { connection, alive: true, guestId: scope.kind === 'guest' ? scope.guestId : undefined };
    clients.set(ws, client);
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data, isBinary) => {
      client.alive = true;
      connection.receive(data, isBinary);
    });
    // ws closes the socket itself after protocol errors (e.g. 1009 for an oversized frame); nothing to add.
    ws.on('error', () => {});
    ws.on('close', () => {
      clients.delete(ws);
      connection.dispose();
      if (closed && clients.size === 0 && graceTimer !== undefined) clearTimeout(graceTimer);
    });
    let server: Record<string, unknown>;
    try {
      server = deps.info();
    } catch {
      // We run inside the HTTP server's upgrade event: a throw here would take the process down.
      ws.close(1011, 'Server info unavailable');
      return;
    }
    connection.start({ type: 'hello', server, limits } satisfies HelloMessage);
  }

  return {
    handleUpgrade(req, socket, head) {
      let refusal;
      try {
        refusal = gate(req);
      } catch (error) {
        // The gate is written not to throw; if it ever does, refuse rather than crash the server.
        refusal = new FerryError('WS_GATE_FAILED', 'Upgrade check failed', { status: 500, cause: error });
      }
      if (refusal) return writeRefusal(socket, refusal);
      // The gate passed, so the target parses and the token grants a scope.
      const scope = deps.policy.scopeOf(req, requestUrl(req)!) ?? { kind: 'link' };
      if (scope.kind === 'guest') {
        const limits = guestLimits(deps.maxClients);
        const guests = [...clients.values()].filter((client) => client.guestId !== undefined);
        if (
          guests.length >= limits.all ||
          guests.filter((client) => client.guestId === scope.guestId).length >= limits.each
        )
          return writeRefusal(socket, guestRefusal());
      }
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, scope));
    },

    disconnectGuests(guestIds) {
      for (const [ws, client] of clients) {
        if (client.guestId !== undefined && (guestIds === 'all' || guestIds.has(client.guestId))) {
          ws.close(1008, 'Access ended');
          setTimeout(() => ws.terminate(), closeGraceMs).unref();
        }
      }
    },

    close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      for (const ws of clients.keys()) ws.close(1001, 'Server shutting down');
      // A stalled peer never answers the close frame; do not let it hold the process for ws's 30 s.
      if (clients.size > 0) {
        graceTimer = setTimeout(() => {
          for (const ws of clients.keys()) ws.terminate();
        }, closeGraceMs);
      }
      wss.close();
    },

    clientCount: () => clients.size,
  };
}
