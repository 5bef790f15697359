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

/**
 * Ferry's receiver names, on the answer that lands a file (and on HEAD of a landed upload), the sha256
 * it verified the bytes against: the one the `sha256` metadata declared.
 */
export const confirmedSha256Header = 'x-ferry-sha256';

function confirmedSha256Of(response: Response): string | undefined {
  const value = response.headers[confirmedSha256Header];
  return typeof value === 'string' && /^[0-9a-f]{64}$/i.test(value) ? value.toLowerCase() : undefined;
}

/** A small tus 1.0 client over got. It never retries by itself: the pool decides. */
export interface TusClient {
  options(target: TusTarget): Promise<ServerCapabilities>;
  /** `sha256`: the digest the receiver verified, when this request landed the file there (Ferry). */
  create(target: TusTarget, request: CreateRequest): Promise<{ url: string; offset: number; sha256?: string }>;
  /** `sha256`: the digest the receiver verified, when the upload has landed there (Ferry). */
  head(target: TusTarget, url: string): Promise<{ offset: number; length: number | undefined; sha256?: string }>;
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
  const base: Got = got.extend({
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
  const instances = createTargetInstances(base, controlTimeoutMs, Math.max(controlTimeoutMs, sealTimeoutMs));

  return {
    options(target) {
      let cached = capabilityCache.get(target.endpoint);
      if (!cached) {
        cached = instances
          .of(target)
          .control(target.endpoint, { method: 'OPTIONS' })
          .then((response) => {
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
      const headers: Record<string, string> = {};
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
      const http = instances.of(target);
      const instance = request.body ? http.body : typeof request.concat === 'object' ? http.sealing : http.control;
      const pending = instance.post(target.endpoint, { headers, body: request.body, signal: request.signal });
      if (request.onSent) pending.on('uploadProgress', (progress) => request.onSent!(progress.transferred));
      const response = await pending;
      if (response.statusCode !== 201) fail(response, 'Creating the upload');
      const location = response.headers.location;
      if (!location)
        throw new TusRequestError('NO_LOCATION', 'The server created an upload but sent no Location', 201, undefined);
      const offset = Number(response.headers['upload-offset'] ?? 0);
      const sha256 = confirmedSha256Of(response);
      return { url: new URL(location, target.endpoint).toString(), offset, ...(sha256 ? { sha256 } : {}) };
    },

    async head(target, url) {
      const response = await instances.of(target).control.head(url);
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
      const sha256 = confirmedSha256Of(response);
      return { offset, length: length === undefined ? undefined : Number(length), ...(sha256 ? { sha256 } : {}) };
    },

    async patch(target, url, request) {
      const headers: Record<string, string> = {
        'content-type': 'application/offset+octet-stream',
        'upload-offset': String(request.offset),
        'content-length': String(request.length),
      };
      if (request.checksum) headers['upload-checksum'] = request.checksum;
      if (request.uploadLength !== undefined) headers['upload-length'] = String(request.uploadLength);
      const pending = instances.of(target).body.patch(url, { headers, body: request.body, signal: request.signal });
      if (request.onSent) pending.on('uploadProgress', (progress) => request.onSent!(progress.transferred));
      const response = await pending;
      if (response.statusCode !== 204) fail(response, 'PATCH');
      return Number(response.headers['upload-offset']);
    },

    async terminate(target, url) {
      const response = await instances.of(target).control.delete(url);
      if (response.statusCode !== 204 && response.statusCode !== 404 && response.statusCode !== 410)
        fail(response, 'DELETE');
    },

    async ping(target) {
      try {
        await instances.of(target).ping(target.endpoint, { method: 'OPTIONS' });
        return true;
      } catch {
        return false;
      }
    },

    hasAnswered(target) {
      return answeredHosts.has(new URL(target.endpoint).hostname);
    },

    close() {
      instances.clear();
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

/** A target's requests, by the time limit they run under; its headers merged in once. */
interface TargetInstances {
  /** Requests without a body: answered promptly or not at all. */
  control: Got;
  /** Requests carrying bytes: watched by the stall watch instead of a deadline. */
  body: Got;
  /** A final upload: the receiver joins and checks the whole file before it answers. */
  sealing: Got;
  ping: Got;
}

/** Distinct header sets a client keeps instances for before it starts over (a new token per launch, say). */
const maxTargets = 64;

/**
 * got merges a request's options into its instance's on every call. What is fixed per target (its
 * headers, the time limits) is merged once, into instances kept per target: by its headers, as the URL
 * comes with each request. Found by value, not by object: jobs restored from disk carry equal copies.
 */
function createTargetInstances(base: Got, controlTimeoutMs: number, sealTimeoutMs: number) {
  const byHeaders = new Map<string, TargetInstances>();
  const build = (headers: Record<string, string> | undefined): TargetInstances => {
    const http = headers ? base.extend({ headers }) : base;
    return {
      control: http.extend({ timeout: { request: controlTimeoutMs } }),
      body: http,
      sealing: http.extend({ timeout: { request: sealTimeoutMs } }),
      ping: http.extend({ timeout: { request: 5_000 } }),
    };
  };
  return {
    of(target: TusTarget): TargetInstances {
      const key = target.headers ? JSON.stringify(target.headers) : '';
      let found = byHeaders.get(key);
      if (!found) {
        if (byHeaders.size >= maxTargets) byHeaders.clear();
        byHeaders.set(key, (found = build(target.headers)));
      }
      return found;
    },
    clear: () => byHeaders.clear(),
  };
}
