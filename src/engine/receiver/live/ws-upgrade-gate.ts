import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { wsSubprotocol, wsTokenProtocolPrefix } from '../../../shared/ws-messages';
import { FerryError } from '../../errors';
import type { AccessPolicy } from '../http/access-policy';

export const wsPath = '/ws';

export interface UpgradeGateDeps {
  policy: AccessPolicy;
  maxClients: number;
  clientCount: () => number;
  closed: () => boolean;
}

/** Status and code of every refused upgrade, in one table. */
const refusals = {
  WS_NOT_FOUND: { status: 404, message: 'No WebSocket endpoint here; use /ws' },
  WS_CLOSING: { status: 503, message: 'The server is shutting down' },
  WS_HOST_FORBIDDEN: { status: 403, message: 'This Host is not served here' },
  WS_ORIGIN_FORBIDDEN: { status: 403, message: 'This Origin may not open a WebSocket here' },
  WS_UNAUTHORIZED: { status: 401, message: 'A valid token is required' },
  WS_TOO_MANY_CLIENTS: { status: 503, message: 'Too many WebSocket clients' },
} as const;
export type UpgradeRefusalCode = keyof typeof refusals;

function refuse(code: UpgradeRefusalCode): FerryError {
  const { status, message } = refusals[code];
  return new FerryError(code, message, { status });
}

/** Relative request target only: `//host/ws` must not be read as a URL naming another host. */
export function requestUrl(req: IncomingMessage): URL | undefined {
  const target = req.url ?? '';
  if (!target.startsWith('/')) return undefined;
  try {
    return new URL(`http://ferry.invalid${target}`);
  } catch {
    return undefined;
  }
}

/**
 * Decides, before any upgrade, whether this request may become a WebSocket. Returns the refusal or
 * undefined. Never throws, whatever the headers hold.
 */
export function createUpgradeGate(deps: UpgradeGateDeps) {
  return function check(req: IncomingMessage): FerryError | undefined {
    const url = requestUrl(req);
    if (!url || url.pathname !== wsPath) return refuse('WS_NOT_FOUND');
    if (deps.closed()) return refuse('WS_CLOSING');
    // DNS rebinding: a page on evil.example resolved to 127.0.0.1 still sends Host: evil.example.
    if (!deps.policy.hostAllowed(req.headers.host)) return refuse('WS_HOST_FORBIDDEN');
    // Browsers always send Origin on a WebSocket handshake (version 8 clients used Sec-WebSocket-Origin);
    // "null" and bare-IP origins are simply absent from the allow-list.
    for (const origin of [req.headers.origin, req.headers['sec-websocket-origin']]) {
      if (origin !== undefined && !deps.policy.originAllowed(String(origin))) return refuse('WS_ORIGIN_FORBIDDEN');
    }
    // A share link's token only joins; it sees no uploads, so it opens no socket either.
    const scope = deps.policy.scopeOf(req, url);
    if (!scope || scope.kind === 'link') return refuse('WS_UNAUTHORIZED');
    if (deps.clientCount() >= deps.maxClients) return refuse('WS_TOO_MANY_CLIENTS');
    return undefined;
  };
}

/** Answers a refused upgrade with plain HTTP on the raw socket, then drops it; it never becomes a WebSocket. */
export function writeRefusal(socket: Duplex, refusal: FerryError): void {
  socket.on('error', () => {});
  const status = refusal.status ?? 400;
  const body = `${refusal.message}\n`;
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Ferry-Error: ${refusal.code}`,
    'Cache-Control: no-store',
  ];
  if (status === 503) head.push('Retry-After: 5');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  // A peer that never reads must not keep the socket around.
  setTimeout(() => socket.destroy(), 2_000).unref();
}

/**
 * RFC 6455 §4.1: when a client offers subprotocols, browsers (and `ws`) fail the handshake unless the
 * server echoes one of them. Prefer ours, then any entry that is not the token; echo the token entry
 * only when nothing else was offered (the client already holds it).
 */
export function chooseSubprotocol(offered: Set<string>): string | false {
  if (offered.has(wsSubprotocol)) return wsSubprotocol;
  const all = [...offered];
  return all.find((entry) => !entry.startsWith(wsTokenProtocolPrefix)) ?? all[0] ?? false;
}
