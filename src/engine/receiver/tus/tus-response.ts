import type { ServerResponse } from 'node:http';
import { FerryError } from '../../errors';
import { TusError } from './tus-errors';

export const tusVersion = '1.0.0';
/** Ferry's additions, in OPTIONS as `X-Ferry-Features` (idempotent-creation: keyed-creation.ts). */
export const ferryFeatures = ['end-to-end-sha256', 'idempotent-creation'];
export const tusExtensions = [
  'creation',
  'creation-with-upload',
  'creation-defer-length',
  'expiration',
  'checksum',
  'termination',
  'concatenation',
];

export function reply(res: ServerResponse, status: number, headers: Record<string, string> = {}, body?: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'Tus-Resumable': tusVersion,
    ...headers,
    ...(body === undefined
      ? { 'Content-Length': '0' }
      : { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) }),
  });
  res.end(body);
}

/** Answers any error: protocol errors from the table, anything else as a 500 with a stable code. */
export function replyError(res: ServerResponse, error: unknown, extraHeaders: Record<string, string> = {}): void {
  if (error instanceof FerryError && error.status) {
    const headers: Record<string, string> = {
      ...(error instanceof TusError ? error.headers : {}),
      ...extraHeaders,
      'X-Ferry-Error': error.code,
    };
    if (error.status === 412) headers['Tus-Version'] = tusVersion;
    reply(res, error.status, headers, `${error.code}: ${error.message}\n`);
    return;
  }
  reply(res, 500, { ...extraHeaders, 'X-Ferry-Error': 'INTERNAL_ERROR' }, 'INTERNAL_ERROR: unexpected server error\n');
}

/** tus expiration: "Upload-Expires ... in RFC 7231 datetime format". */
export function expiresHeader(touchedAt: string, expireAfterMs: number): Record<string, string> {
  return { 'Upload-Expires': new Date(Date.parse(touchedAt) + expireAfterMs).toUTCString() };
}
