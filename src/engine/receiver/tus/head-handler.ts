import { serializeMetadata } from './tus-headers';
import type { TusHandler } from './tus-context';
import { expiresHeader, reply } from './tus-response';
import { TusError } from './tus-errors';
import { loadUpload, requireValidId } from './upload-lookup';

export const handleHead: TusHandler = async (_req, res, ctx, rawId) => {
  const id = requireValidId(rawId);
  // Taking the lock asks a stale PATCH to persist and let go, so the offset we report is settled.
  const lock = await ctx.locks.acquire(id, ctx.config.lockTimeoutMs);
  try {
    const { info, offset } = await loadUpload(ctx, id);
    const headers: Record<string, string> = { 'Upload-Offset': String(offset), 'Cache-Control': 'no-store' };
    if (info.length === null) headers['Upload-Defer-Length'] = '1';
    else headers['Upload-Length'] = String(info.length);
    const metadata = serializeMetadata(info.metadata);
    if (metadata) headers['Upload-Metadata'] = metadata;
    if (info.concat?.kind === 'partial') headers['Upload-Concat'] = 'partial';
    if (info.concat?.kind === 'final') headers['Upload-Concat'] = `final;${info.concat.parts.map((part) => ctx.config.basePath + part).join(' ')}`;
    if (info.status !== 'completed') Object.assign(headers, expiresHeader(info.touchedAt, ctx.config.expireAfterMs));
    reply(res, 200, headers);
  } catch (error) {
    // tus clients restart from zero on a 5xx HEAD; transient trouble answers 423, which they retry.
    if (!(error instanceof TusError)) throw new TusError('UPLOAD_LOCKED', { cause: error });
    throw error;
  } finally {
    lock.release();
  }
};
