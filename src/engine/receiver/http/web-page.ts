import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface WebPageOptions {
  /** The built page (vite's out/web); undefined or missing: `/` says the page is not built. */
  root: string | undefined;
}

export interface WebPage {
  /** Takes GET/HEAD `/`, `/index.html` and `/assets/*`; false for any other path. */
  serve(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};
// vite names assets `name-<hash>.ext`: one flat folder, no traversal possible through this pattern.
const assetName = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$/;

/** The page's CSP: its own scripts and styles only, no inline code, and fetch/WebSocket to this server. */
export function pageCsp(host: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ws://${host}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

interface Cached {
  mtimeMs: number;
  size: number;
  body: Buffer;
  gzipped: Buffer | null;
}

export function createWebPage(options: WebPageOptions): WebPage {
  const cache = new Map<string, Cached>();

  async function load(path: string): Promise<Cached | undefined> {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const hit = cache.get(path);
    if (hit && hit.mtimeMs === info.mtimeMs && hit.size === info.size) return hit;
    const body = await readFile(path);
    // Compressed once per build; text only (images are compressed already).
    const gzipped = /\.(html|js|css|svg|json)$/.test(path) && body.length > 512 ? gzipSync(body, { level: 9 }) : null;
    const entry = { mtimeMs: info.mtimeMs, size: info.size, body, gzipped };
    cache.set(path, entry);
    return entry;
  }

  async function send(req: IncomingMessage, res: ServerResponse, path: string, isPage: boolean): Promise<void> {
    const file = options.root ? await load(path) : undefined;
    const common = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };
    if (!file) {
      const text = isPage
        ? 'Ferry\'s upload page is not built. Build it with "npm run build:web", then reload.\n'
        : 'Not found\n';
      res.writeHead(isPage ? 503 : 404, {
        ...common,
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Length': String(Buffer.byteLength(text)),
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : text);
      return;
    }
    const gzip = file.gzipped !== null && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? file.gzipped! : file.body;
    const headers: Record<string, string> = {
      ...common,
      'Content-Type': types[extname(path)] ?? 'application/octet-stream',
      'Content-Length': String(body.length),
      Vary: 'Accept-Encoding',
      // The page is small and names its hashed assets: always revalidate it, keep the assets forever.
      'Cache-Control': isPage ? 'no-cache' : 'public, max-age=31536000, immutable',
    };
    if (gzip) headers['Content-Encoding'] = 'gzip';
    if (isPage) {
      headers['Content-Security-Policy'] = pageCsp(String(req.headers.host));
      headers['X-Frame-Options'] = 'DENY';
    }
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  return {
    serve(req, res, url) {
      const { pathname } = url;
      // Only the literal paths: `/files/..` normalizes to `/`, yet it names an upload, not the page.
      if ((req.url ?? '').split('?')[0] !== pathname) return false;
      let path: string;
      let isPage = false;
      if (pathname === '/' || pathname === '/index.html') {
        path = join(options.root ?? '', 'index.html');
        isPage = true;
      } else if (pathname.startsWith('/assets/') && assetName.test(pathname.slice(8))) {
        path = join(options.root ?? '', 'assets', pathname.slice(8));
      } else return false;
      send(req, res, path, isPage).catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Length': '0' }).end();
        else res.destroy();
      });
      return true;
    },
  };
}
