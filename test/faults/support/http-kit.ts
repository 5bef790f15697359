import { request } from 'node:http';
import { connect, type Socket } from 'node:net';

/** Where a test talks to: a receiver on 127.0.0.1, with the shared test token. */
export interface Target {
  port: number;
  token?: string;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const testToken = 'secret';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function authHeaders(target: Target): Record<string, string> {
  return { Authorization: `Bearer ${target.token ?? testToken}`, 'Tus-Resumable': '1.0.0' };
}

/** One request on its own connection (no agent), so a test's sockets never outlive it. */
export function call(
  target: Target,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Buffer,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: target.port,
        method,
        path,
        agent: false,
        headers: { ...authHeaders(target), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: flatten(res.headers),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

export function encodeMetadata(pairs: Record<string, string>): string {
  return Object.entries(pairs)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');
}

/** Creates a tus upload and returns its id; `null` length means Upload-Defer-Length. */
export async function createUpload(
  target: Target,
  length: number | null,
  metadata: Record<string, string> = {},
): Promise<string> {
  const headers: Record<string, string> =
    length === null ? { 'Upload-Defer-Length': '1' } : { 'Upload-Length': String(length) };
  if (Object.keys(metadata).length > 0) headers['Upload-Metadata'] = encodeMetadata(metadata);
  const reply = await call(target, 'POST', '/files/', headers);
  if (reply.status !== 201) throw new Error(`create answered ${reply.status}: ${reply.body}`);
  return new URL(reply.headers.location!, 'http://x').pathname.split('/').pop()!;
}

export async function headOffset(target: Target, id: string): Promise<number> {
  const reply = await call(target, 'HEAD', `/files/${id}`);
  if (reply.status !== 200) throw new Error(`HEAD answered ${reply.status}`);
  return Number(reply.headers['upload-offset']);
}

export function patch(
  target: Target,
  id: string,
  offset: number,
  data: Buffer,
  extra: Record<string, string> = {},
): Promise<Reply> {
  return call(
    target,
    'PATCH',
    `/files/${id}`,
    { 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(offset), ...extra },
    data,
  );
}

/** Parses a raw HTTP/1.1 response head (and whatever body came with it). */
export function parseReply(raw: string): Reply | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = raw.slice(0, end).split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!match) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(match[1]), headers, body: raw.slice(end + 4) };
}

/** A hand-driven HTTP exchange on a raw socket: the test decides every byte and how the connection ends. */
export interface RawExchange {
  readonly socket: Socket;
  /** Body bytes handed to the socket so far. */
  sent(): number;
  send(data: Buffer | string): void;
  /** Sends `data` in slices on a timer; resolves when all is sent, or early if the socket closes or stop() is called. */
  pace(data: Buffer, sliceBytes: number, everyMs: number): Promise<void>;
  stop(): void;
  /** The first complete response head, or undefined if the connection ended without one. */
  readonly reply: Promise<Reply | undefined>;
  readonly closed: Promise<void>;
  /** Everything the server sent. */
  received(): string;
  /** The socket error code, if any (EPIPE, ECONNRESET...). */
  error(): string | undefined;
}

export function openExchange(port: number, head: string): RawExchange {
  const socket = connect(port, '127.0.0.1');
  let failure: NodeJS.ErrnoException | undefined;
  socket.on('error', (error) => (failure = error));
  let raw = '';
  let bodySent = 0;
  let stopped = false;
  let settleReply!: (reply: Reply | undefined) => void;
  const reply = new Promise<Reply | undefined>((resolve) => (settleReply = resolve));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('data', (chunk: Buffer) => {
    raw += chunk.toString('latin1');
    const parsed = parseReply(raw);
    if (parsed) settleReply(parsed);
  });
  void closed.then(() => settleReply(parseReply(raw)));
  socket.write(head);
  const exchange: RawExchange = {
    socket,
    sent: () => bodySent,
    send(data) {
      if (socket.destroyed || !socket.writable) return;
      socket.write(data);
      bodySent += Buffer.byteLength(data);
    },
    async pace(data, sliceBytes, everyMs) {
      for (let at = 0; at < data.length && !stopped && !socket.destroyed; at += sliceBytes) {
        exchange.send(data.subarray(at, at + sliceBytes));
        await sleep(everyMs);
      }
    },
    stop: () => (stopped = true),
    reply,
    closed,
    received: () => raw,
    error: () => failure?.code,
  };
  return exchange;
}

/** The head of a PATCH whose body the caller sends (Content-Length defaults to the data's length). */
export function patchHead(
  port: number,
  id: string,
  offset: number,
  contentLength: number,
  extra: Record<string, string> = {},
): string {
  const headers: Record<string, string> = {
    Host: `127.0.0.1:${port}`,
    Authorization: `Bearer ${testToken}`,
    'Tus-Resumable': '1.0.0',
    'Content-Type': 'application/offset+octet-stream',
    'Upload-Offset': String(offset),
    'Content-Length': String(contentLength),
    ...extra,
  };
  return `PATCH /files/${id} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n`;
}

/** Sends raw bytes, waits for the server to answer or close, and reports what came back. */
export async function rawRoundTrip(
  port: number,
  bytes: string | Buffer,
  waitMs = 2_000,
): Promise<{ reply?: Reply; closedByServer: boolean }> {
  const exchange = openExchange(port, '');
  exchange.send(bytes);
  const closedInTime = await Promise.race([exchange.closed.then(() => true), sleep(waitMs).then(() => false)]);
  const reply = parseReply(exchange.received());
  exchange.socket.destroy();
  return { reply, closedByServer: closedInTime };
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export { sleep };
