import type { ServerResponse } from 'node:http';
import { FerryError } from '../../errors';
import { reply as httpReply, replyError as httpReplyError } from '../http/reply';
import { TusError, tusErrorOf } from './tus-errors';

export const tusVersion = '1.0.0';
/**
 * Ferry's additions, in OPTIONS as `X-Ferry-Features`:
 * - `end-to-end-sha256`: a `sha256` in Upload-Metadata (at creation, or on the final upload that seals
 *   parts) is checked before the file lands; a mismatch answers 460 SHA256_MISMATCH and nothing lands.
 * - `sha256-one-pass`: that check is the integrity check, and needs no per-chunk `Upload-Checksum`.
 *   An upload that declared its sha256, or a lone partial upload named like a file, is hashed once as
 *   it is stored (store/running-digests.ts), and the bytes of a request that broke off are kept.
 * - `idempotent-creation`: keyed-creation.ts.
 * - `bulk-upload`: many small files in one `POST /upload`, multipart/bulk-protocol.ts.
 */
export const ferryFeatures = ['end-to-end-sha256', 'sha256-one-pass', 'idempotent-creation', 'bulk-upload'];
export const tusExtensions = [
  'creation',
  'creation-with-upload',
  'creation-defer-length',
  'expiration',
  'checksum',
  'termination',
  'concatenation',
];

/** tus answers: always `Tus-Resumable`; bodies (errors only) are plain text, as tus servers answer. */
export function reply(res: ServerResponse, status: number, headers: Record<string, string> = {}, body?: string): void {
  httpReply(res, status, { 'Tus-Resumable': tusVersion, ...headers }, body === undefined ? undefined : textBody(body));
}

const textBody = (text: string) => ({ contentType: 'text/plain; charset=utf-8', text });

/** Answers any error: protocol errors from the table, anything else as a 500 with a stable code. */
export function replyError(res: ServerResponse, error: unknown, extraHeaders: Record<string, string> = {}): void {
  const answer = tusErrorOf(error);
  if (answer instanceof FerryError && answer.status) {
    const headers: Record<string, string> = {
      'Tus-Resumable': tusVersion,
      ...(answer instanceof TusError ? answer.headers : {}),
      ...extraHeaders,
    };
    if (answer.status === 412) headers['Tus-Version'] = tusVersion;
    httpReplyError(res, answer.status, answer.code, textBody(`${answer.code}: ${answer.message}\n`), headers);
    return;
  }
  const body = textBody('INTERNAL_ERROR: unexpected server error\n');
  httpReplyError(res, 500, 'INTERNAL_ERROR', body, { 'Tus-Resumable': tusVersion, ...extraHeaders });
}

/** tus expiration: "Upload-Expires ... in RFC 7231 datetime format". */
export function expiresHeader(touchedAt: string, expireAfterMs: number): Record<string, string> {
  return { 'Upload-Expires': new Date(Date.parse(touchedAt) + expireAfterMs).toUTCString() };
}
