/** Test helpers for the tus conformance suites: a real receiver on a temp folder and a tiny node:http client. */
import { mkdtemp, readdir, realpath, rm, stat } from 'node:fs/promises';
import { request, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import { createReceiver, type Receiver, type ReceiverOptions } from '../../src/engine/receiver/server';

export const token = 'secret';
/** What every non-OPTIONS tus request carries. */
export const tusHeaders: Record<string, string> = { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0' };
export const octet = { 'Content-Type': 'application/offset+octet-stream' };

export interface TusReply {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string | undefined>;
  body: string;
}

const flatten = (headers: IncomingHttpHeaders) =>
  Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
  );

export interface TestReceiver {
  receiver: Receiver;
  url: string;
  /** `${url}/files/` */
  endpoint: string;
  /** The receive folder; its parent `base` holds nothing else, so escapes are visible. */
  dir: string;
  base: string;
  stateDir: string;
  close(): Promise<void>;
}

export async function startReceiver(options: Partial<ReceiverOptions> = {}, reuseBase?: string): Promise<TestReceiver> {
  const base = reuseBase ?? (await realpath(await mkdtemp(path.join(os.tmpdir(), 'ferry-tus-'))));
  const dir = path.join(base, 'received');
  const receiver = createReceiver({ dir, token, logger: false, ...options });
  const { url } = await receiver.listen();
  return {
    receiver,
    url,
    endpoint: `${url}/files/`,
    dir,
    base,
    stateDir: path.join(dir, '.ferry', 'uploads'),
    close: () => receiver.close(),
  };
}

export async function removeBase(t: TestReceiver | undefined): Promise<void> {
  if (!t) return;
  await t.close();
  await rm(t.base, { recursive: true, force: true });
}

/** A receiver for the running test (started in it or its `beforeEach`): closed and removed when the test ends. */
export async function receiverForTest(
  options: Partial<ReceiverOptions> = {},
  reuseBase?: string,
): Promise<TestReceiver> {
  const t = await startReceiver(options, reuseBase);
  onTestFinished(() => removeBase(t));
  return t;
}

/**
 * One receiver for all the tests of the file, or of the `describe` block that calls this: started before
 * them, closed and removed after. The object is filled in when the receiver starts; tests read it as usual.
 */
export function receiverForAll(options: Partial<ReceiverOptions> = {}): TestReceiver {
  const t = {} as TestReceiver;
  let started: TestReceiver | undefined;
  beforeAll(async () => {
    started = await startReceiver(options);
    Object.assign(t, started);
  });
  afterAll(() => removeBase(started));
  return t;
}

/**
 * Opens a request and returns it unfinished, so a test can stream a body slowly, chunked, or vanish.
 * `agent: false`: every request gets its own socket, so a closed connection never leaks into the next test.
 */
export function open(
  url: string,
  method: string,
  headers: Record<string, string | number>,
): { req: ClientRequest; reply: Promise<TusReply> } {
  // The path goes out as written: `request(url)` would resolve `/files/..` to `/` before sending.
  const origin = /^https?:\/\/[^/]+/.exec(url)?.[0] ?? url;
  const { hostname, port } = new URL(origin);
  const req = request({ hostname, port, path: url.slice(origin.length) || '/', method, headers, agent: false });
  const reply = new Promise<TusReply>((resolve, reject) => {
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      const done = () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: flatten(res.headers),
          body: Buffer.concat(chunks).toString('utf8'),
        });
      res.on('end', done);
      res.on('error', done);
      res.on('aborted', done);
    });
    // The server may answer early and close while the body is still going out: the answer is what counts.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
  });
  return { req, reply };
}

export async function send(
  url: string,
  method: string,
  headers: Record<string, string | number> = {},
  body?: Buffer | string,
): Promise<TusReply> {
  const payload = body === undefined ? undefined : Buffer.from(body);
  const { req, reply } = open(url, method, {
    ...tusHeaders,
    ...(payload ? { 'Content-Length': payload.length } : {}),
    ...headers,
  });
  req.end(payload);
  return reply;
}

export function meta(pairs: Record<string, string>): string {
  return Object.entries(pairs)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');
}

/** POSTs a new upload and returns its absolute URL. */
export async function create(
  endpoint: string,
  headers: Record<string, string | number>,
  body?: Buffer | string,
): Promise<string> {
  const answer = await send(endpoint, 'POST', { ...(body === undefined ? {} : octet), ...headers }, body);
  if (answer.status !== 201 || typeof answer.headers.location !== 'string')
    throw new Error(`create failed: ${answer.status} ${answer.body}`);
  return answer.headers.location;
}

export const head = (uploadUrl: string, headers: Record<string, string> = {}) => send(uploadUrl, 'HEAD', headers);

export function patch(
  uploadUrl: string,
  offset: number,
  body: Buffer | string,
  headers: Record<string, string> = {},
): Promise<TusReply> {
  return send(uploadUrl, 'PATCH', { ...octet, 'Upload-Offset': String(offset), ...headers }, body);
}

export const idOf = (uploadUrl: string): string => uploadUrl.slice(uploadUrl.lastIndexOf('/') + 1);

/** Size of an upload's data file in the state folder, or -1 when it is gone. */
export async function dataSize(t: TestReceiver, uploadUrl: string): Promise<number> {
  return stat(path.join(t.stateDir, idOf(uploadUrl))).then(
    (s) => s.size,
    () => -1,
  );
}

/** Fails fast instead of at the suite timeout when an answer never comes. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)),
  );
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every file under `root`, relative with `/`, skipping the receiver's own `.ferry` state folder. */
export async function listFiles(root: string, skipState = true): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const relative = path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
    if (skipState && relative.startsWith('.ferry/')) continue;
    out.push(relative);
  }
  return out.sort();
}

/** Sends raw bytes and collects everything the server writes back until it goes quiet for `quietMs`. */
export function rawExchange(url: string, text: string, quietMs = 300): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(text));
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      socket.destroy();
      resolve(received);
    };
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      clearTimeout(timer);
      timer = setTimeout(finish, quietMs);
    });
    socket.on('end', () => {
      clearTimeout(timer);
      finish();
    });
    socket.on('error', reject);
  });
}
