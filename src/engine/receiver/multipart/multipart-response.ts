import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FerryError } from '../../errors';
import { jsonBody, jsonErrorBody, replyError, reply } from '../http/reply';

/** After an early error answer, read and drop at most this much of the rest of the body… */
const DRAIN_MAX_BYTES = 4 * 1024 * 1024;
/** …for at most this long, then close the socket. */
const DRAIN_MAX_MS = 5_000;
/** A client that stopped sending may also stop reading; don't wait on it to take our reply. */
const CLOSE_GRACE_MS = 1_000;

const jsonType = 'application/json; charset=utf-8';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  reply(res, status, { 'Cache-Control': 'no-store', ...headers }, jsonBody(body, jsonType));
}

/**
 * Discards what is left of the body so the client gets to read our early answer: closing at once
 * makes the kernel answer its next bytes with RST, and many clients then drop the response unread.
 * Bounded in bytes and time so a multi-gigabyte sender cannot keep us busy.
 */
function drainThenClose(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  let left = DRAIN_MAX_BYTES;
  const timer = setTimeout(() => req.destroy(), DRAIN_MAX_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    left -= chunk.length;
    if (left < 0) req.destroy();
  });
  req.once('close', () => clearTimeout(timer));
  req.resume();
}

export interface ErrorReplyOptions {
  /** The client went silent: answer if we still can, then drop the connection instead of draining. */
  closeNow?: boolean;
}

/** `{ error: { code, message } }` with the error's status and `X-Ferry-Error`; leaves the connection in a sane state. */
export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  error: FerryError,
  options: ErrorReplyOptions = {},
): void {
  const status = error.status ?? 500;
  const body = jsonErrorBody(error.code, error.message, jsonType);
  if (options.closeNow) {
    replyError(res, status, error.code, body, { 'Cache-Control': 'no-store', Connection: 'close' });
    const timer = setTimeout(() => req.socket.destroy(), CLOSE_GRACE_MS);
    timer.unref();
    res.once('finish', () => {
      clearTimeout(timer);
      req.socket.destroy();
    });
    if (res.writableFinished || res.destroyed) {
      clearTimeout(timer);
      req.socket.destroy();
    }
    return;
  }
  replyError(res, status, error.code, body, { 'Cache-Control': 'no-store' });
  drainThenClose(req);
}
