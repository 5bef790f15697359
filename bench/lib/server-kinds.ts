// Starts one server under test inside the current (child) process. Each kind
// is imported lazily so a child only loads the code it serves.
import { createWriteStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ServerKind } from './protocol';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

const host = '127.0.0.1';

export async function startServer(kind: ServerKind, dir: string): Promise<RunningServer> {
  switch (kind) {
    case 'ferry':
    case 'ferry-fast':
      return startFerry(dir, kind === 'ferry');
    case 'tus':
      return startTus(dir);
    case 'pipe':
      return startPipe(dir);
  }
}

async function startFerry(dir: string, durable: boolean): Promise<RunningServer> {
  const { createReceiver } = await import('../../src/engine/receiver/server');
  // maxSize is raised so the 4 GiB sweep is never refused by a default cap.
  const receiver = createReceiver({ host, port: 0, dir, token: null, durable, maxSize: 2 ** 40, logger: false });
  const { url } = await receiver.listen();
  return { url: url.replace(/\/+$/, ''), close: () => receiver.close() };
}

async function startTus(dir: string): Promise<RunningServer> {
  const { Server: TusServer } = await import('@tus/server');
  const { FileStore } = await import('@tus/file-store');
  const tus = new TusServer({ path: '/files', datastore: new FileStore({ directory: dir }) });
  return listenOn(createServer((req, res) => void tus.handle(req, res)));
}

/** The ceiling: nothing between the socket and the file but a stream pipe. */
function startPipe(dir: string): Promise<RunningServer> {
  return listenOn(createServer((req, res) => void receiveToFile(dir, req, res)));
}

async function receiveToFile(dir: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const match = /^\/upload\/([^/?]+)$/.exec(req.url ?? '');
  if (!match || (req.method !== 'PUT' && req.method !== 'POST')) {
    res.writeHead(404).end();
    return;
  }
  const name = basename(decodeURIComponent(match[1]!));
  try {
    await pipeline(req, createWriteStream(join(dir, name), { highWaterMark: 2 ** 20 }));
    res.writeHead(201, { 'Content-Length': '0' }).end();
  } catch {
    if (!res.headersSent) res.writeHead(500).end();
  }
}

function listenOn(server: Server): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no TCP address'));
      resolve({
        url: `http://${host}:${address.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
