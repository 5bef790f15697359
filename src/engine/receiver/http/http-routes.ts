import type { IncomingMessage, ServerResponse } from 'node:http';
import { FerryError } from '../../errors';
import type { AccessPolicy } from './access-policy';
import { replyJsonError } from './json-response';
import type { GuestRoutes } from '../sharing/guest-routes';
import type { ReceiverMetrics } from './metrics';
import type { TusContext } from '../tus/tus-context';
import { routeTus } from '../tus/tus-router';

export { replyJsonError } from './json-response';

export interface RouteDeps {
  policy: AccessPolicy;
  metrics: ReceiverMetrics;
  tus: TusContext;
  multipart: { handle(req: IncomingMessage, res: ServerResponse): Promise<void> };
  openConnections(): number;
  /** Serves the browser upload page and its assets (public: they hold no secret); false when the path is not one of them. */
  servePage?(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
  /** Requests made with a share link's or a guest's token (LAN sharing); without it only the app's token gets in. */
  guests?: GuestRoutes;
}

/** The receiver's front door: Host check, CORS, token, then the route. */
export function createRequestHandler(deps: RouteDeps) {
  const { policy, metrics } = deps;
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    metrics.request(req.method ?? 'UNKNOWN');
    res.on('finish', () => {
      const code = res.getHeader('X-Ferry-Error');
      if (typeof code === 'string') metrics.error(code);
    });
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 still sends Host: evil.example.
    if (!policy.hostAllowed(req.headers.host)) {
      res.setHeader('Connection', 'close');
      replyJsonError(res, 421, 'HOST_NOT_ALLOWED', 'This server does not answer to that Host');
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://receiver.invalid');
    } catch {
      replyJsonError(res, 400, 'BAD_URL', 'Malformed request URL');
      return;
    }
    const origin = req.headers.origin;
    for (const [name, value] of Object.entries(policy.corsHeaders(origin, req.method === 'OPTIONS')))
      res.setHeader(name, value);
    const pathname = url.pathname;
    const isTus = pathname === deps.tus.config.basePath || pathname.startsWith(deps.tus.config.basePath);

    if (req.method === 'OPTIONS') {
      if (isTus) return routeTus(req, res, deps.tus, pathname);
      res.writeHead(204, { 'Content-Length': '0' }).end();
      return;
    }
    if (pathname === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
      return;
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && deps.servePage?.(req, res, url)) return;
    const scope = policy.scopeOf(req, url);
    if (!scope || (scope.kind !== 'app' && !deps.guests)) {
      // Refused before any byte of a body is read: a cross-site "simple" POST writes nothing.
      res.setHeader('Connection', 'close');
      replyJsonError(res, 401, 'UNAUTHORIZED', 'A valid token is required (Authorization: Bearer, or ?token=)', {
        'WWW-Authenticate': 'Bearer',
      });
      return;
    }
    // Guests get their own, narrower router: every rule about what they may do lives there.
    if (scope.kind !== 'app') return deps.guests!.handle(req, res, url, scope);
    try {
      if (isTus) return await routeTus(req, res, deps.tus, pathname);
      if (pathname === '/upload' && req.method === 'POST') return await deps.multipart.handle(req, res);
      if (pathname === '/metrics' && req.method === 'GET') {
        res
          .writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4', 'Cache-Control': 'no-store' })
          .end(metrics.render(deps.openConnections()));
        return;
      }
      replyJsonError(res, 404, 'NOT_FOUND', 'No such route');
    } catch (error) {
      const status = error instanceof FerryError && error.status ? error.status : 500;
      const code = error instanceof FerryError ? error.code : 'INTERNAL_ERROR';
      replyJsonError(res, status, code, error instanceof FerryError ? error.message : 'Unexpected server error');
    }
  };
}
