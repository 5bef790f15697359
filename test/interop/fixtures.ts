// Shared helpers for the interop suites: random payloads, hashing, temp dirs, ports, and a
// promise wrapper around tus-js-client's callback API.
import { createServer } from 'node:net';
import { Upload } from 'tus-js-client';
import { makeTempDir as makeSharedTempDir } from '../support/files';

export const MiB = 1024 * 1024;
export const token = 'secret';
export const authHeaders = { Authorization: `Bearer ${token}` };

export type UploadOptions = NonNullable<ConstructorParameters<typeof Upload>[1]>;
export type UploadInput = ConstructorParameters<typeof Upload>[0];

export { removeDir, sha256File, writeRandomFile } from '../support/files';
export const makeTempDir = (label: string) => makeSharedTempDir(`interop-${label}`);

/** A port that was free a moment ago; the serve CLI needs a fixed one so a restart lands on it again. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Polls until `probe` yields a value; throws with `what` in the message on timeout. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
  intervalMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface RequestRecord {
  method: string;
  url: string;
  offset: string | undefined;
  concat: string | undefined;
}

export interface ResponseRecord {
  method: string;
  status: number;
  offset: string | undefined;
}

export interface UploadOutcome {
  url: string;
  requests: RequestRecord[];
  responses: ResponseRecord[];
}

/**
 * Runs one tus-js-client upload to completion. Retries are off unless the caller asks for them, so
 * a receiver answer the client dislikes fails the test instead of being papered over.
 */
export function uploadWith(input: UploadInput, options: UploadOptions): Promise<UploadOutcome> {
  const requests: RequestRecord[] = [];
  const responses: ResponseRecord[] = [];
  return new Promise((resolve, reject) => {
    const upload = new Upload(input, {
      retryDelays: null,
      ...options,
      headers: { ...authHeaders, ...options.headers },
      onBeforeRequest: async (req) => {
        requests.push({
          method: req.getMethod(),
          url: req.getURL(),
          offset: req.getHeader('Upload-Offset'),
          concat: req.getHeader('Upload-Concat'),
        });
        await options.onBeforeRequest?.(req);
      },
      onAfterResponse: (req, res) => {
        responses.push({ method: req.getMethod(), status: res.getStatus(), offset: res.getHeader('Upload-Offset') });
      },
      onSuccess: () => resolve({ url: upload.url ?? '', requests, responses }),
      onError: (error) => reject(error),
    });
    upload.start();
  });
}

/** A tus HEAD straight from the test, to read the receiver's own view of an upload. */
export async function headUpload(
  url: string,
): Promise<{ status: number; offset: number; length: number; concat: string | null }> {
  const res = await fetch(url, { method: 'HEAD', headers: { ...authHeaders, 'Tus-Resumable': '1.0.0' } });
  return {
    status: res.status,
    offset: Number(res.headers.get('upload-offset')),
    length: Number(res.headers.get('upload-length')),
    concat: res.headers.get('upload-concat'),
  };
}
