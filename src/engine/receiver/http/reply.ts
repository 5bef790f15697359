import type { ServerResponse } from 'node:http';

/** An answer's body and what it is. */
export interface ReplyBody {
  contentType: string;
  text: string;
}

/**
 * Writes one whole answer: status, headers, and the body with its length (none: `Content-Length: 0`).
 * Does nothing once an answer has started or the socket is gone. Every answer the receiver's routes,
 * tus and multipart write goes through here.
 */
export function reply(
  res: ServerResponse,
  status: number,
  headers: Record<string, string> = {},
  body?: ReplyBody,
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    ...headers,
    ...(body === undefined
      ? { 'Content-Length': '0' }
      : { 'Content-Type': body.contentType, 'Content-Length': String(Buffer.byteLength(body.text)) }),
  });
  res.end(body?.text);
}

/** An error answer. Its stable code always goes out in `X-Ferry-Error`: metrics and clients read it there. */
export function replyError(
  res: ServerResponse,
  status: number,
  code: string,
  body: ReplyBody,
  headers: Record<string, string> = {},
): void {
  // Set on the response too: what only writeHead gets, getHeader cannot read back (the metrics hook does).
  if (!res.headersSent && !res.destroyed) res.setHeader('X-Ferry-Error', code);
  reply(res, status, { ...headers, 'X-Ferry-Error': code }, body);
}

export function jsonBody(value: unknown, contentType = 'application/json'): ReplyBody {
  return { contentType, text: JSON.stringify(value) };
}

/** The error body outside tus: `{ error: { code, message } }`. */
export function jsonErrorBody(code: string, message: string, contentType?: string): ReplyBody {
  return jsonBody({ error: { code, message } }, contentType);
}
