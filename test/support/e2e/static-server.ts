// Serves the production renderer bundle on loopback, with the headers the app's protocol handler sets.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';
import { mimeTypeOf } from '../../../src/main/core/renderer-files';

export interface StaticServer {
  origin: string;
  close(): Promise<void>;
}

/** `headers` is read per request: the window's CSP names the receiver, which may start later. */
export async function serveFolder(root: string, headers: () => Record<string, string>): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, pathname === '/' ? 'index.html' : pathname));
    if (pathname.includes('\0') || !file.startsWith(root + sep)) return void res.writeHead(404).end();
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': mimeTypeOf(file), ...headers() }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
