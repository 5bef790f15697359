import type { ServerResponse } from 'node:http';
import { jsonErrorBody, replyError } from './reply';

/** A JSON error body `{ error: { code, message } }`, with the code also in `X-Ferry-Error` for metrics. */
export function replyJsonError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  replyError(res, status, code, jsonErrorBody(code, message), headers);
}
