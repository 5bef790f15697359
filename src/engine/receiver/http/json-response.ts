import type { ServerResponse } from 'node:http';

/** A JSON error body `{ error: { code, message } }`, with the code also in `X-Ferry-Error` for metrics. */
export function replyJsonError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    'X-Ferry-Error': code,
  });
  res.end(body);
}
