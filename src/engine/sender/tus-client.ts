import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import got, { type Got, type Response } from 'got';
import { TusRequestError } from './sender-errors';

export interface TusTarget {
  /** The creation endpoint, e.g. http://127.0.0.1:8080/files/ */
  endpoint: string;
  headers?: Record<string, string>;
}

export interface ServerCapabilities {
  extensions: Set<string>;
  maxSize: number | undefined;
  checksumAlgorithms: Set<string>;
  /** Ferry's additions (`X-Ferry-Features`), empty for other tus servers. */
  ferryFeatures: Set<string>;
}

export interface CreateRequest {
  /** null: creation-defer-length, the length comes with a later PATCH. */
  length: number | null;
  metadata: Record<string, string>;
  concat?: 'partial' | { final: string[] };
  /** creation-with-upload: the whole (small) file in the POST. */
  body?: Buffer | Readable;
  checksum?: string;
  signal?: AbortSignal;
  /** Body bytes handed to the network so far. */
  onSent?: (bytes: number) => void;
}

export interface PatchRequest {
  offset: number;
  body: Buffer | Readable;
  length: number;
  checksum?: string;
  signal?: AbortSignal;
  onSent?: (bytes: number) => void;
  /** creation-defer-length: declares the upload's length with this PATCH. */
  uploadLength?: number;
}

function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export function encodeMetadata(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([key, value]) => `${key} ${Buffer.from(value, 'utf8').toString('base64')}`)
    .join(',');
}

function fail(response: Response, what: string): never {
  const code = (response.headers['x-ferry-error'] as string | undefined) ?? `HTTP_${response.statusCode}`;
  const offset = response.headers['upload-offset'];
  // On an error, Location names an upload the request created anyway (a redirect's is no upload).
  const location = response.statusCode >= 400 ? response.headers.location : undefined;
  throw new TusRequestError(
    code,
    `${what} failed: HTTP ${response.statusCode}${response.body ? ` (${String(response.body).trim().slice(0, 200)})` : ''}`,
    response.statusCode,
    parseRetryAfter(response.headers['retry-after'] as string | undefined),
    {
      serverOffset: offset === undefined ? undefined : Number(offset),
      location: location ? new URL(location, response.url).toString() : undefined,
    },
  );
}

/** A small tus 1.0 client over got. It never retries by itself: the pool decides. */
export interface TusClient {
  options(target: TusTarget): Promise<ServerCapabilities>;
  create(target: TusTarget, request: CreateRequest): Promise<{ url: string; offset: number }>;
  head(target: TusTarget, url: string): Promise<{ offset: number; length: number | undefined }>;
  patch(target: TusTarget, url: string, request: PatchRequest): Promise<number>;
  terminate(target: TusTarget, url: string): Promise<void>;
  /** True when the target answers at all (any HTTP status). */
  ping(target: TusTarget): Promise<boolean>;
  /** True once the target's host has sent any HTTP answer through this client. */
  hasAnswered(target: TusTarget): boolean;
  close(): void;
}

export function createTusClient(
  options: { maxSockets?: number; connectTimeoutMs?: number; controlTimeoutMs?: number } = {},
): TusClient {
  const agents = {
    http: new HttpAgent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 }),
  };
  const answeredHosts = new Set<string>();
  const http: Got = got.extend({
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    agent: agents,
    timeout: { connect: options.connectTimeoutMs ?? 15_000 },
    headers: { 'tus-resumable': '1.0.0', 'user-agent': 'Ferry/0.1' },
    hooks: { afterResponse: [(response) => (answeredHosts.add(response.requestUrl.hostname), response)] },
  });
  // Requests without a body must answer promptly; a black-holed HEAD must not hang a resume.
  const controlTimeoutMs = options.controlTimeoutMs ?? 30_000;
  const sealTimeoutMs = 15 * 60_000;
  const capabilityCache = new Map<string, Promise<ServerCapabilities>>();

  return {
    options(target) {
      let cached = capabilityCache.get(target.endpoint);
      if (!cached) {
        cached = http(target.endpoint, {
          method: 'OPTIONS',
          headers: target.headers,
          timeout: { request: controlTimeoutMs },
        }).then((response) => {
          if (response.statusCode >= 300) fail(response, 'OPTIONS');
          const list = (name: string) =>
            new Set(
              String(response.headers[name] ?? '')
                .split(',')
                .map((item) => item.trim())
                .filter(Boolean),
            );
          const maxSize = response.headers['tus-max-size'];
          return {
            extensions: list('tus-extension'),
            maxSize: maxSize ? Number(maxSize) : undefined,
            checksumAlgorithms: list('tus-checksum-algorithm'),
            ferryFeatures: list('x-ferry-features'),
          };
        });
        cached.catch(() => capabilityCache.delete(target.endpoint));
        capabilityCache.set(target.endpoint, cached);
      }
      return cached;
    },

    async create(target, request) {
      const headers: Record<string, string> = { ...target.headers };
      if (request.concat !== undefined && typeof request.concat === 'object')
        headers['upload-concat'] = `final;${request.concat.final.join(' ')}`;
      else if (request.length === null) headers['upload-defer-length'] = '1';
      else headers['upload-length'] = String(request.length);
      if (request.concat === 'partial') headers['upload-concat'] = 'partial';
      const metadata = encodeMetadata(request.metadata);
      if (metadata) headers['upload-metadata'] = metadata;
      if (request.body) {
        headers['content-type'] = 'application/offset+octet-stream';
        headers['content-length'] = String(request.length);
        if (request.checksum) headers['upload-checksum'] = request.checksum;
      }
      // A final upload is answered once the receiver has joined the parts and checked the whole file's
      // sha256, which for a big file resumed elsewhere means reading all of it: give it time.
      const sealing = typeof request.concat === 'object';
      const timeoutMs = sealing ? Math.max(controlTimeoutMs, sealTimeoutMs) : controlTimeoutMs;
      const pending = http.post(target.endpoint, {
        headers,
        body: request.body,
        signal: request.signal,
        ...(request.body ? {} : { timeout: { request: timeoutMs } }),
      });
      if (request.onSent) pending.on('uploadProgress', (progress) => request.onSent!(progress.transferred));
      const response = await pending;
      if (response.statusCode !== 201) fail(response, 'Creating the upload');
      const location = response.headers.location;
      if (!location)
        throw new TusRequestError('NO_LOCATION', 'The server created an upload but sent no Location', 201, undefined);
      const offset = Number(response.headers['upload-offset'] ?? 0);
      return { url: new URL(location, target.endpoint).toString(), offset };
    },

    async head(target, url) {
      const response = await http.head(url, { headers: target.headers, timeout: { request: controlTimeoutMs } });
      if (response.statusCode !== 200 && response.statusCode !== 204) fail(response, 'HEAD');
      const length = response.headers['upload-length'];
      const offset = Number(response.headers['upload-offset']);
      // tus: the HEAD response "MUST always include the Upload-Offset header"; without it, ask again.
      if (!Number.isSafeInteger(offset) || offset < 0)
        throw new TusRequestError(
          'BAD_OFFSET',
          'The server answered HEAD without a valid Upload-Offset',
          undefined,
          undefined,
        );
      return { offset, length: length === undefined ? undefined : Number(length) };
    },

    async patch(target, url, request) {
      const headers: Record<string, string> = {
        ...target.headers,
        'content-type': 'application/offset+octet-stream',
        'upload-offset': String(request.offset),
        'content-length': String(request.length),
      };
      if (request.checksum) headers['upload-checksum'] = request.checksum;
      if (request.uploadLength !== undefined) headers['upload-length'] = String(request.uploadLength);
      const pending = http.patch(url, { headers, body: request.body, signal: request.signal });
      if (request.onSent) pending.on('uploadProgress', (progress) => request.onSent!(progress.transferred));
      const response = await pending;
      if (response.statusCode !== 204) fail(response, 'PATCH');
      return Number(response.headers['upload-offset']);
    },

    async terminate(target, url) {
      const response = await http.delete(url, { headers: target.headers, timeout: { request: controlTimeoutMs } });
      if (response.statusCode !== 204 && response.statusCode !== 404 && response.statusCode !== 410)
        fail(response, 'DELETE');
    },

    async ping(target) {
      try {
        await http(target.endpoint, { method: 'OPTIONS', headers: target.headers, timeout: { request: 5_000 } });
        return true;
      } catch {
        return false;
      }
    },

    hasAnswered(target) {
      return answeredHosts.has(new URL(target.endpoint).hostname);
    },

    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
