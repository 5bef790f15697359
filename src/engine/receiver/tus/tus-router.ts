import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleDelete } from './delete-handler';
import { handleHead } from './head-handler';
import { handleOptions } from './options-handler';
import { handlePatch } from './patch-handler';
import { handlePost } from './post-handler';
import type { TusContext, TusHandler } from './tus-context';
import { TusError, tusErrorOf } from './tus-errors';
import { replyError, tusVersion } from './tus-response';

const collectionHandlers: Record<string, TusHandler> = { POST: handlePost, OPTIONS: handleOptions };
const uploadHandlers: Record<string, TusHandler> = {
  HEAD: handleHead,
  PATCH: handlePatch,
  DELETE: handleDelete,
  OPTIONS: handleOptions,
};

/** tus: a request's effective method, honouring X-HTTP-Method-Override on POST for restricted environments. */
export function effectiveMethod(req: IncomingMessage): string {
  const override = req.headers['x-http-method-override'];
  if (req.method === 'POST' && typeof override === 'string' && override.trim()) return override.trim().toUpperCase();
  return req.method ?? 'GET';
}

/** Routes one request under the tus base path (`/files/` or `/files/<id>`). */
export async function routeTus(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: TusContext,
  pathname: string,
): Promise<void> {
  const rest = pathname.slice(ctx.config.basePath.length);
  const id = rest === '' ? undefined : rest;
  const method = effectiveMethod(req);
  try {
    const handler = (id === undefined ? collectionHandlers : uploadHandlers)[method];
    if (!handler) {
      res.setHeader('Allow', Object.keys(id === undefined ? collectionHandlers : uploadHandlers).join(', '));
      throw new TusError('METHOD_NOT_ALLOWED');
    }
    // tus: "If the version is not supported by the Server, it MUST respond with 412 Precondition Failed" and include Tus-Version.
    if (method !== 'OPTIONS' && req.headers['tus-resumable'] !== tusVersion) throw new TusError('UNSUPPORTED_VERSION');
    if (id !== undefined && id.includes('/')) throw new TusError('UPLOAD_NOT_FOUND');
    await handler(req, res, ctx, id);
  } catch (error) {
    const answer = tusErrorOf(error);
    if (!(answer instanceof TusError)) ctx.log.error({ err: error, method, pathname }, 'tus request failed');
    // An unread body must not poison a keep-alive connection: close it after this answer.
    if (!req.complete && !res.headersSent) res.setHeader('Connection', 'close');
    replyError(res, answer);
  }
}
