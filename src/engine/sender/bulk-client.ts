import { randomBytes } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';
import got, { type Got, type Response } from 'got';
import { closingText } from './bulk-part-head';
import { TusRequestError } from './sender-errors';
import type { TusTarget } from './tus-client';

/**
 * Many small files in one request to Ferry's receiver (`X-Ferry-Features: bulk-upload`): a
 * multipart `POST /upload` with `X-Ferry-Bulk: 1`, where each file part declares, in its field name,
 * its sha256, its idempotency key and its relativePath. Each file lands or fails on its own; the answer
 * lists each. A `landed` field asks which keys landed, for a request whose answer was lost.
 */
export const bulkFeature = 'bulk-upload';

/** The receiver's answer for one file (by its key). */
export type BulkFileAnswer =
  | { key?: string; status: 'landed'; name: string; path: string; size: number; sha256: string; already?: boolean }
  | { key?: string; status: 'failed'; name: string; error: { code: string; message: string; status: number } };

export type LandedAnswer =
  | { key: string; status: 'landed'; path: string; size: number; sha256: string }
  | { key: string; status: 'missing' | 'arriving' };

export interface BulkSendRequest {
  /** The body, as it is to leave: each buffer after the limiter let it go. */
  body: AsyncIterable<Buffer>;
  boundary: string;
  signal: AbortSignal;
  /** Body bytes handed to the network so far. */
  onSent?: (bytes: number) => void;
}

export interface BulkClient {
  send(target: TusTarget, request: BulkSendRequest): Promise<BulkFileAnswer[]>;
  /** What landed under each key (by an earlier request). */
  landed(target: TusTarget, keys: string[], signal: AbortSignal): Promise<LandedAnswer[]>;
  close(): void;
}

export const newBoundary = () => `ferry-bulk-${randomBytes(12).toString('hex')}`;

export const closing = (boundary: string) => Buffer.from(closingText(boundary));

function landedField(boundary: string, keys: string[]): Buffer {
  return Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="landed"\r\n\r\n${JSON.stringify({ keys })}\r\n`,
  );
}

function retryAfterOf(value: unknown): number | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function failed(response: Response<string>, what: string): TusRequestError {
  const code = (response.headers['x-ferry-error'] as string | undefined) ?? `HTTP_${response.statusCode}`;
  const text = response.body ? ` (${response.body.trim().slice(0, 200)})` : '';
  return new TusRequestError(
    code,
    `${what} failed: HTTP ${response.statusCode}${text}`,
    response.statusCode,
    retryAfterOf(response.headers['retry-after']),
  );
}

function parsed<T>(response: Response<string>, field: 'files' | 'landed'): T[] {
  const body = JSON.parse(response.body) as Record<string, unknown>;
  const list = body[field];
  if (!Array.isArray(list))
    throw new TusRequestError('BAD_ANSWER', `The bulk answer has no ${field} list`, response.statusCode, undefined);
  return list as T[];
}

/** The receiver's multipart endpoint, beside its tus endpoint. */
const uploadUrlOf = (target: TusTarget) => new URL('/upload', target.endpoint).toString();

export function createBulkClient(options: { connectTimeoutMs?: number; controlTimeoutMs?: number } = {}): BulkClient {
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const http: Got = got.extend({
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    agent: agents,
    timeout: { connect: options.connectTimeoutMs ?? 15_000 },
    headers: { 'user-agent': 'Ferry/0.1', 'x-ferry-bulk': '1' },
  });
  const controlTimeoutMs = options.controlTimeoutMs ?? 30_000;
  const contentType = (boundary: string) => `multipart/form-data; boundary=${boundary}`;

  return {
    async send(target, request) {
      const pending = http.post(uploadUrlOf(target), {
        headers: { ...target.headers, 'content-type': contentType(request.boundary) },
        body: Readable.from(request.body, { objectMode: false }),
        signal: request.signal,
      });
      if (request.onSent) pending.on('uploadProgress', (progress) => request.onSent!(progress.transferred));
      const response = await pending;
      if (response.statusCode !== 201 && response.statusCode !== 207) throw failed(response, 'Bulk upload');
      return parsed<BulkFileAnswer>(response, 'files');
    },

    async landed(target, keys, signal) {
      const boundary = newBoundary();
      const response = await http.post(uploadUrlOf(target), {
        headers: { ...target.headers, 'content-type': contentType(boundary) },
        body: Buffer.concat([landedField(boundary, keys), closing(boundary)]),
        signal,
        timeout: { request: controlTimeoutMs },
      });
      if (response.statusCode !== 200) throw failed(response, 'Asking what landed');
      return parsed<LandedAnswer>(response, 'landed');
    },

    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
