import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface AccessPolicyOptions {
  /** null disables authentication (explicit `--no-auth`). */
  token: string | null;
  /** `host:port` values this server answers to; read per request since the port is known only after listen. */
  allowedHosts: () => ReadonlySet<string>;
  /** Exact origins (scheme://host:port) allowed for CORS and WebSocket upgrades. */
  allowedOrigins: () => ReadonlySet<string>;
}

export const tusExposedHeaders = [
  'Location', 'Upload-Offset', 'Upload-Length', 'Upload-Defer-Length', 'Upload-Metadata', 'Upload-Expires', 'Upload-Concat',
  'Tus-Version', 'Tus-Resumable', 'Tus-Extension', 'Tus-Max-Size', 'Tus-Checksum-Algorithm', 'X-Ferry-Error', 'X-Ferry-Features', 'Retry-After',
];
const allowedRequestHeaders = [
  'Authorization', 'Content-Type', 'Upload-Offset', 'Upload-Length', 'Upload-Defer-Length', 'Upload-Metadata', 'Upload-Checksum',
  'Upload-Concat', 'Tus-Resumable', 'X-HTTP-Method-Override', 'X-Requested-With',
];

export interface AccessPolicy {
  /** Against DNS rebinding: the Host header must name this server. Never throws. */
  hostAllowed(host: string | undefined): boolean;
  originAllowed(origin: string | undefined): boolean;
  /** Token from `Authorization: Bearer`, `?token=`, or a `Sec-WebSocket-Protocol` entry `token.<value>`. */
  authorized(req: IncomingMessage, url: URL): boolean;
  /** CORS headers for this origin; none at all for an unknown one. Never `*`. */
  corsHeaders(origin: string | undefined, preflight: boolean): Record<string, string>;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createAccessPolicy(options: AccessPolicyOptions): AccessPolicy {
  function tokenOf(req: IncomingMessage, url: URL): string | undefined {
    const auth = req.headers.authorization;
    if (typeof auth === 'string' && /^Bearer /i.test(auth)) return auth.slice(7).trim();
    const query = url.searchParams.get('token');
    if (query) return query;
    const protocols = req.headers['sec-websocket-protocol'];
    if (typeof protocols === 'string') {
      const entry = protocols.split(',').map((part) => part.trim()).find((part) => part.startsWith('token.'));
      if (entry) return entry.slice('token.'.length);
    }
    return undefined;
  }

  return {
    hostAllowed(host) {
      if (typeof host !== 'string' || host.length === 0 || host.length > 300) return false;
      return options.allowedHosts().has(host.toLowerCase());
    },
    originAllowed(origin) {
      if (typeof origin !== 'string') return false;
      return options.allowedOrigins().has(origin.toLowerCase());
    },
    authorized(req, url) {
      if (options.token === null) return true;
      const given = tokenOf(req, url);
      return given !== undefined && sameSecret(given, options.token);
    },
    corsHeaders(origin, preflight) {
      if (!origin || !this.originAllowed(origin)) return {};
      const headers: Record<string, string> = {
        'Access-Control-Allow-Origin': origin,
        Vary: 'Origin',
        'Access-Control-Expose-Headers': tusExposedHeaders.join(', '),
      };
      if (preflight) {
        headers['Access-Control-Allow-Methods'] = 'GET, POST, HEAD, PATCH, DELETE, OPTIONS';
        headers['Access-Control-Allow-Headers'] = allowedRequestHeaders.join(', ');
        headers['Access-Control-Max-Age'] = '86400';
      }
      return headers;
    },
  };
}
