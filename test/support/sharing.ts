// LAN sharing in tests: a receiver whose "LAN address" is 127.0.0.2, and plain HTTP with a chosen source address.
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage } from '../../src/shared/ws-messages';
import {
  createReceiver,
  type Receiver,
  type ReceiverOptions,
  type SharingStartOptions,
  type SharingStatus,
} from '../../src/engine/receiver/server';

export const appToken = 'app-token';
export const lanAddress = '127.0.0.2';

export interface SharedReceiver {
  receiver: Receiver;
  dir: string;
  /** http://127.0.0.1:PORT (the app's side). */
  url: string;
  /** http://127.0.0.2:PORT (the "LAN" side). */
  lanUrl: string;
  port: number;
  share: SharingStatus;
  linkToken: string;
  stop(): Promise<void>;
}

export async function startSharedReceiver(
  share: SharingStartOptions = {},
  options: Partial<ReceiverOptions> = {},
): Promise<SharedReceiver> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-share-'));
  const receiver = createReceiver({ dir, token: appToken, logger: false, deviceName: 'Test desk', ...options });
  const { url, port } = await receiver.listen();
  const status = await receiver.sharing.start({ addresses: [lanAddress], ...share });
  const link = new URL(status.link!);
  return {
    receiver,
    dir,
    url,
    lanUrl: link.origin,
    port,
    share: status,
    linkToken: link.searchParams.get('t')!,
    async stop() {
      await receiver.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A shared receiver for the running test: stopped and its folder removed when the test ends. */
export async function sharedReceiverForTest(
  share: SharingStartOptions = {},
  options: Partial<ReceiverOptions> = {},
): Promise<SharedReceiver> {
  const shared = await startSharedReceiver(share, options);
  onTestFinished(() => shared.stop());
  return shared;
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/** One HTTP request, optionally from a given loopback source address (node's fetch cannot choose one). */
export function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer; localAddress?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: init.method ?? 'GET',
        headers: { Connection: 'close', ...init.headers },
        localAddress: init.localAddress,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

export async function joinShare(
  base: string,
  linkToken: string,
  options: { pin?: string; localAddress?: string; userAgent?: string; device?: string } = {},
): Promise<Reply> {
  return send(`${base}/share/join`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${linkToken}`,
      'Content-Type': 'application/json',
      'User-Agent': options.userAgent ?? 'Mozilla/5.0 (Linux; Android 14) Chrome/130.0 Mobile Safari/537.36',
    },
    body: JSON.stringify({
      ...(options.pin === undefined ? {} : { pin: options.pin }),
      ...(options.device === undefined ? {} : { device: options.device }),
    }),
    localAddress: options.localAddress,
  });
}

/** A browser's device secret, as the phone page keeps one in localStorage. */
export const newDeviceSecret = () => randomBytes(32).toString('base64url');

/** Joins and returns the guest's token. */
export async function guestToken(
  base: string,
  linkToken: string,
  options: { pin?: string; localAddress?: string; device?: string } = {},
): Promise<string> {
  const reply = await joinShare(base, linkToken, options);
  if (reply.status !== 201) throw new Error(`join answered ${reply.status}: ${reply.text}`);
  return reply.json<{ token: string }>().token;
}

export const tus = (token: string, extra: Record<string, string> = {}) => ({
  'Tus-Resumable': '1.0.0',
  Authorization: `Bearer ${token}`,
  ...extra,
});

/** Creates a tus upload; returns its id. */
export async function createTusUpload(
  base: string,
  token: string,
  length: number,
  filename = 'file.bin',
): Promise<string> {
  const reply = await send(`${base}/files/`, {
    method: 'POST',
    headers: tus(token, {
      'Upload-Length': String(length),
      'Upload-Metadata': `filename ${Buffer.from(filename).toString('base64')}`,
    }),
  });
  if (reply.status !== 201) throw new Error(`POST /files/ answered ${reply.status}: ${reply.text}`);
  const location = String(reply.headers.location);
  return location.slice(location.lastIndexOf('/') + 1);
}

export function patch(base: string, token: string, id: string, offset: number, body: Buffer): Promise<Reply> {
  return send(`${base}/files/${id}`, {
    method: 'PATCH',
    headers: tus(token, {
      'Content-Type': 'application/offset+octet-stream',
      'Upload-Offset': String(offset),
      'Content-Length': String(body.length),
    }),
    body,
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds, or fails after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** A /ws client with the given token, as a page on `base` opens one; it records every message. */
export function openSocket(base: string, token: string): Promise<{ ws: WebSocket; messages: ServerMessage[] }> {
  const origin = new URL(base).origin;
  const ws = new WebSocket(`${origin.replace('http', 'ws')}/ws`, ['ferry.v1', `token.${token}`], {
    headers: { Origin: origin },
  });
  const messages: ServerMessage[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as ServerMessage));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages }));
    ws.once('error', reject);
  });
}

/** The upload ids a /ws client was told about, in snapshots and progress. */
export const idsIn = (messages: ServerMessage[]) =>
  new Set(
    messages.flatMap((message) =>
      message.type === 'progress'
        ? [message.uploadId]
        : message.type === 'snapshot'
          ? message.uploads.map((upload) => upload.uploadId)
          : [],
    ),
  );
