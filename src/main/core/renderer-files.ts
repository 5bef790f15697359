import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

/** The app's page origin: every window URL is `app://ferry/…`. */
export const appScheme = 'app';
export const appHost = 'ferry';
export const appOrigin = `${appScheme}://${appHost}`;

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

export function mimeTypeOf(path: string): string {
  return mimeTypes[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps a window URL to a file of the built renderer, strictly inside `root`; undefined for anything
 * else (another host, a traversal, an encoded separator). `/` is the index page.
 */
export function rendererFileFor(
  root: string,
  url: string,
  origin: { scheme: string; host: string } = { scheme: appScheme, host: appHost },
): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== `${origin.scheme}:` || parsed.host !== origin.host || parsed.username || parsed.password)
    return undefined;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return undefined;
  }
  // An encoded backslash or NUL is never part of a bundle file name.
  if (path.includes('\\') || path.includes('\0')) return undefined;
  const file = resolve(root, `.${path === '/' ? '/index.html' : path}`);
  const rel = relative(root, file);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return file;
}
