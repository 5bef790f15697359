import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface AccessPolicyOptions {
  /** null disables authentication (explicit `--no-auth`). */
  token: string | null;
  /** `host:port` values this server answers to; read per request since the port is known only after listen. */
  allowedHosts: () => ReadonlySet<string>;
  /** Exact origins (scheme://host:port) allowed for CORS and WebSocket upgrades. */
  allowedOrigins: () => ReadonlySet<string>;
  /** Tokens other than the app's (share links, guests while LAN sharing is on); null when unknown. */
  resolveToken?: (token: string) => AccessScope | null;
}

/**
 * Who a request acts for. `app`: the app's own token, full rights. `link`: the share link's token, which
 * can only join. `guest`: a device that joined through the link, limited to the uploads it created.
 */
export type AccessScope = { kind: 'app' } | { kind: 'link' } | { kind: 'guest'; guestId: string };
const appScope: AccessScope = Object.freeze({ kind: 'app' });

export const tusExposedHeaders = [
  'Location',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Defer-Length',
  'Upload-Metadata',
  'Upload-Expires',
  'Upload-Concat',
  'Tus-Version',
  'Tus-Resumable',
  'Tus-Extension',
  'Tus-Max-Size',
  'Tus-Checksum-Algorithm',
  'X-Ferry-Error',
  'X-Ferry-Features',
  'X-Ferry-Sha256',
  'Retry-After',
];
const allowedRequestHeaders = [
  'Authorization',
  'Content-Type',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Defer-Length',
  'Upload-Metadata',
  'Upload-Checksum',
  'Upload-Concat',
  'Tus-Resumable',
  'X-HTTP-Method-Override',
  'X-Requested-With',
];

export interface AccessPolicy {
  /** Against DNS rebinding: the Host header must name this server. Never throws. */
  hostAllowed(host: string | undefined): boolean;
  originAllowed(origin: string | undefined): boolean;
  /** Token from `Authorization: Bearer`, `?token=`, or a `Sec-WebSocket-Protocol` entry `token.<value>`. */
  authorized(req: IncomingMessage, url: URL): boolean;
  /** The scope the request's token grants, or null when it grants nothing. */
  scopeOf(req: IncomingMessage, url: URL): AccessScope | null;
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
      const entry = protocols
        .split(',')
        .map((part) => part.trim())
        .find((part) => part.startsWith('token.'));
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
      return this.scopeOf(req, url) !== null;
    },
    scopeOf(req, url) {
      const given = tokenOf(req, url);
      if (given !== undefined) {
        if (options.token !== null && sameSecret(given, options.token)) return appScope;
        const other = given.length <= 256 ? options.resolveToken?.(given) : null;
        if (other) return other;
      }
      return options.token === null ? appScope : null;
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
