/** Test helpers for the multipart integration tests: a plain node:http server and a raw socket client. */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import {
  createMultipartHandler,
  type MultipartLimits,
  type MultipartProgress,
} from '../../src/engine/receiver/multipart/multipart-handler';
import { createReceiveFolder } from '../../src/engine/receiver/landing/receive-folder';

export interface ProgressCall {
  kind: 'register' | 'advance' | 'transition';
  uploadId: string;
  filename?: string;
  offset?: number;
  status?: string;
  errorCode?: string;
}

export interface TestServer {
  url: string;
  port: number;
  /** The real path of the receive folder. */
  dir: string;
  calls: ProgressCall[];
  close(): Promise<void>;
}

export const testLimits: MultipartLimits = {
  maxFileSize: 64 * 1024 * 1024,
  maxFiles: 5,
  maxFields: 5,
  maxParts: 12,
  maxHeaderPairs: 20,
  maxFieldSize: 1024,
};

export async function startTestServer(
  options: { limits?: Partial<MultipartLimits>; idleTimeoutMs?: number } = {},
): Promise<TestServer> {
  const base = await realpath(await mkdtemp(path.join(os.tmpdir(), 'ferry-mp-')));
  const dir = path.join(base, 'received');
  const calls: ProgressCall[] = [];
  const progress: MultipartProgress = {
    register: (init) => void calls.push({ kind: 'register', uploadId: init.uploadId, filename: init.filename }),
    advance: (uploadId, offset) => void calls.push({ kind: 'advance', uploadId, offset }),
    transition: (uploadId, status, detail) => {
      calls.push({ kind: 'transition', uploadId, status, errorCode: detail?.errorCode });
      return true;
    },
  };
  const handler = createMultipartHandler({
    receiveFolder: createReceiveFolder({ dir }),
    limits: { ...testLimits, ...options.limits },
    progress,
    newId: randomUUID,
    idleTimeoutMs: options.idleTimeoutMs,
  });
  const server: Server = createServer((req, res) => void handler.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}/upload`,
    port: address.port,
    dir,
    calls,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(base, { recursive: true, force: true });
    },
  };
}

/** Files under the receive folder (relative, `/`); [] if it was never created. */
export async function listReceived(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/** Polls until the receive folder holds no files (cleanup may finish just after the socket closes). */
export async function waitForEmpty(dir: string, timeoutMs = 3_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let files = await listReceived(dir);
  while (files.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    files = await listReceived(dir);
  }
  return files;
}

export const BOUNDARY = 'ferryTestBoundary7MA4YWxk';

export function filePart(name: string, filename: string, content: Buffer | string, extraHeaders = ''): Buffer {
  const head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\n${extraHeaders}Content-Type: application/octet-stream\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'utf8'), Buffer.from(content), Buffer.from('\r\n')]);
}

export function fieldPart(name: string, value: string): Buffer {
  return Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`, 'utf8');
}

export const closingBoundary = Buffer.from(`--${BOUNDARY}--\r\n`);

export interface RawResult {
  /** HTTP status if the server answered before the socket closed. */
  status: number | null;
  body: string;
}

/**
 * Sends a request by hand over a raw socket, so tests can lie about Content-Length, stop half-way or
 * vanish. `after` decides what happens once `body` is written: 'end' (FIN), 'destroy' or 'wait'.
 */
export function rawUpload(
  port: number,
  body: Buffer,
  options: { contentLength?: number; contentType?: string; after: 'end' | 'destroy' | 'wait'; timeoutMs?: number },
): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : null, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    };
    const timer = setTimeout(finish, options.timeoutMs ?? 5_000);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // One response is all we want: stop once its headers and Content-Length bytes of body are in.
      const received = Buffer.concat(chunks);
      const headEnd = received.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(received.subarray(0, headEnd).toString('latin1'));
      if (headEnd >= 0 && length && received.length - headEnd - 4 >= Number(length[1])) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('connect', () => {
      const head =
        `POST /upload HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
        `Content-Type: ${options.contentType ?? `multipart/form-data; boundary=${BOUNDARY}`}\r\n` +
        `Content-Length: ${options.contentLength ?? body.length}\r\n\r\n`;
      socket.write(head);
      socket.write(body, () => {
        if (options.after === 'end') socket.end();
        if (options.after === 'destroy') setTimeout(() => socket.destroy(), 50);
      });
    });
  });
}

/** A test server per test: `start()` starts it with these options, and it is closed after the test. */
export function testServerPerTest(): (options?: Parameters<typeof startTestServer>[0]) => Promise<TestServer> {
  let current: TestServer | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options) => (current = await startTestServer(options));
}

/** One file of a bulk request (bulk-protocol.ts); `sha256` is the content's own unless a test lies. */
export interface BulkFile {
  name: string;
  content: Buffer;
  sha256?: string;
  key?: string;
  relativePath?: string;
}

export const sha256Of = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** The staged part files left in a receive folder's state folder (none once every request settled). */
export async function stagedPartsLeft(receiveDir: string): Promise<string[]> {
  const names = await readdir(path.join(receiveDir, '.ferry', 'multipart')).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.part'));
}

/** The part a sender writes for `file`: its declarations in the field name, its bytes as the body. */
export function bulkPart(file: BulkFile): Buffer {
  const meta = new URLSearchParams({ sha256: file.sha256 ?? sha256Of(file.content) });
  if (file.key) meta.set('key', file.key);
  if (file.relativePath) meta.set('relativePath', file.relativePath);
  const head =
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${meta.toString()}"; ` +
    `filename*=UTF-8''${encodeURIComponent(file.name)}\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), file.content, Buffer.from('\r\n')]);
}

/** A bulk request (`X-Ferry-Bulk: 1`) of a ready body to a receiver at `url`. */
export function sendBulk(url: string, body: Buffer, bearer: string): Promise<Response> {
  return fetch(`${url}/upload`, {
    method: 'POST',
    headers: {
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      'x-ferry-bulk': '1',
      authorization: `Bearer ${bearer}`,
    },
    body,
  });
}
