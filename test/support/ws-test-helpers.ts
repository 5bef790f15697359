// Helpers for the /ws integration tests: a real receiver, a tus upload over fetch, and a recording client.
import { mkdtemp, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket, { type ClientOptions } from 'ws';
import { isTerminal, type ProgressEvent } from '../../src/shared/progress-event';
import { ServerMessage } from '../../src/shared/ws-messages';
import { createReceiver, type Receiver, type ReceiverOptions } from '../../src/engine/receiver/server';

export const token = 'secret';

export interface TestReceiver {
  receiver: Receiver;
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startReceiver(options: Partial<ReceiverOptions> = {}): Promise<TestReceiver> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-ws-'));
  const receiver = createReceiver({ dir, token, logger: false, ...options });
  const { url, port } = await receiver.listen();
  return {
    receiver,
    url,
    port,
    async stop() {
      await receiver.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const tusHeaders = { 'Tus-Resumable': '1.0.0', Authorization: `Bearer ${token}` };

export async function createUpload(baseUrl: string, length: number, filename = 'file.bin'): Promise<string> {
  const res = await fetch(`${baseUrl}/files/`, {
    method: 'POST',
    headers: {
      ...tusHeaders,
      'Upload-Length': String(length),
      'Upload-Metadata': `filename ${Buffer.from(filename).toString('base64')}`,
    },
  });
  if (res.status !== 201) throw new Error(`POST /files/ answered ${res.status}`);
  return new URL(res.headers.get('location')!, baseUrl).href;
}

export async function patchChunk(location: string, offset: number, chunk: Uint8Array): Promise<number> {
  const res = await fetch(location, {
    method: 'PATCH',
    headers: { ...tusHeaders, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(offset) },
    body: chunk,
  });
  if (res.status !== 204) throw new Error(`PATCH at ${offset} answered ${res.status}`);
  return Number(res.headers.get('upload-offset'));
}

export const uploadIdOf = (location: string) => location.slice(location.lastIndexOf('/') + 1);

/** Uploads `data` in `chunks` PATCH requests; returns the upload id and the wall time taken. */
export async function upload(baseUrl: string, data: Uint8Array, chunks: number, options: { pauseMs?: number } = {}) {
  const started = performance.now();
  const location = await createUpload(baseUrl, data.length);
  const size = Math.ceil(data.length / chunks);
  let offset = 0;
  while (offset < data.length) {
    offset = await patchChunk(location, offset, data.subarray(offset, offset + size));
    if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
  }
  return { uploadId: uploadIdOf(location), ms: performance.now() - started };
}

export interface RecordingClient {
  ws: WebSocket;
  messages: ServerMessage[];
  progress(uploadId: string): ProgressEvent[];
  /** Resolves with the first recorded message matching, waiting for it if needed. */
  waitFor<T extends ServerMessage>(match: (message: ServerMessage) => message is T, timeoutMs?: number): Promise<T>;
  waitFor(match: (message: ServerMessage) => boolean, timeoutMs?: number): Promise<ServerMessage>;
  close(): Promise<void>;
}

export function wsUrl(baseUrl: string, query = `token=${token}`): string {
  return `${baseUrl.replace(/^http/, 'ws')}/ws${query ? `?${query}` : ''}`;
}

/** Connects and records every message, parsed against the shared schema (a bad message fails the test). */
export async function connect(
  url: string,
  options: ClientOptions & { protocols?: string[]; onOpen?: (ws: WebSocket) => void } = {},
): Promise<RecordingClient> {
  const { protocols, onOpen, ...clientOptions } = options;
  const ws = new WebSocket(url, protocols, clientOptions);
  const messages: ServerMessage[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    messages.push(ServerMessage.parse(JSON.parse(String(data))));
    for (const waiter of waiters) waiter();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => {
      onOpen?.(ws);
      resolve();
    });
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected response ${res.statusCode}`)));
  });
  const waitFor = (match: (message: ServerMessage) => boolean, timeoutMs = 20_000) =>
    new Promise<ServerMessage>((resolve, reject) => {
      const check = () => {
        const found = messages.find(match);
        if (!found) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching message after ${timeoutMs} ms; got ${messages.length}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return {
    ws,
    messages,
    progress: (uploadId) =>
      messages.filter((m): m is ProgressEvent => m.type === 'progress' && m.uploadId === uploadId),
    waitFor: waitFor as RecordingClient['waitFor'],
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}

/** Stops reading the client's TCP socket, so the server's writes back up like a stalled reader's. */
export function pauseReading(ws: WebSocket): Socket {
  const socket = (ws as unknown as { _socket: Socket })._socket;
  socket.pause();
  return socket;
}

export const resumeReading = (ws: WebSocket) => (ws as unknown as { _socket: Socket })._socket.resume();

/** Tries an upgrade that should be refused; resolves with the HTTP status, and fails if a socket ever opens. */
export function refusedStatus(url: string, options: ClientOptions & { protocols?: string[] } = {}) {
  const { protocols, ...clientOptions } = options;
  return new Promise<{ status: number; code: string | undefined }>((resolve, reject) => {
    const ws = new WebSocket(url, protocols, clientOptions);
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('message', () => reject(new Error('a message leaked to a refused client')));
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res) => {
      const code = res.headers['x-ferry-error'];
      resolve({ status: res.statusCode ?? 0, code: typeof code === 'string' ? code : undefined });
      res.resume();
      ws.terminate();
    });
  });
}

/** Asserts the per-upload guarantees of /ws for one client's view of one upload. */
export function checkUploadStream(events: ProgressEvent[]): string[] {
  const problems: string[] = [];
  events.forEach((event, i) => {
    const previous = events[i - 1];
    if (previous && event.seq <= previous.seq) problems.push(`seq ${event.seq} after ${previous.seq}`);
    if (previous && event.offset < previous.offset) problems.push(`offset ${event.offset} after ${previous.offset}`);
    if (previous && isTerminal(previous.status)) problems.push(`event after terminal ${previous.status}`);
  });
  return problems;
}
