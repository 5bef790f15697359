import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { windowHeaders } from '../core/csp';
import { appScheme, mimeTypeOf, rendererFileFor } from '../core/renderer-files';

/** Must run before `app` is ready: `app://` behaves like https (a real origin, fetch, no file:// quirks). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/**
 * Serves the built renderer at `app://ferry/`, every response with the window's CSP. Only files
 * inside `root` are served; nothing else on disk is reachable from the page.
 */
export function serveRenderer(root: string, receiverOrigin: () => string): void {
  protocol.handle(appScheme, async (request) => {
    const file = request.method === 'GET' ? rendererFileFor(root, request.url) : undefined;
    const headers = windowHeaders(receiverOrigin());
    if (!file) return new Response('Not found', { status: 404, headers });
    try {
      return new Response(await readFile(file), {
        status: 200,
        headers: { ...headers, 'Content-Type': mimeTypeOf(file) },
      });
    } catch {
      return new Response('Not found', { status: 404, headers });
    }
  });
}
