import { serializeMetadata } from './tus-headers';
import type { TusHandler } from './tus-context';
import { reply } from './tus-response';
import { TusError, tusErrorOf } from './tus-errors';
import { expiryOf, landedFileGone, loadUpload, requireValidId } from './upload-lookup';
import { whileServerBusy } from './busy-socket';
import { confirmedSha256 } from './confirmed-sha256';

export const handleHead: TusHandler = async (req, res, ctx, rawId) => {
  const id = requireValidId(rawId);
  // Taking the lock asks a stale PATCH to persist and let go, so the offset we report is settled.
  // Waiting for another request to let go is the server's business: no idle timeout meanwhile.
  const lock = await whileServerBusy(req.socket, () => ctx.locks.acquire(id, ctx.config.lockTimeoutMs, 'read'));
  try {
    const { info, offset } = await loadUpload(ctx, id);
    // "Complete" would tell a sender the file is there; gone from the receive folder, it must come again.
    if (await landedFileGone(ctx, info)) throw new TusError('RECEIVED_FILE_GONE');
    const headers: Record<string, string> = {
      'Upload-Offset': String(offset),
      'Cache-Control': 'no-store',
      ...confirmedSha256(info),
    };
    if (info.length === null) headers['Upload-Defer-Length'] = '1';
    else headers['Upload-Length'] = String(info.length);
    const metadata = serializeMetadata(info.metadata);
    if (metadata) headers['Upload-Metadata'] = metadata;
    if (info.concat?.kind === 'partial') headers['Upload-Concat'] = 'partial';
    if (info.concat?.kind === 'final')
      headers['Upload-Concat'] = `final;${info.concat.parts.map((part) => ctx.config.basePath + part).join(' ')}`;
    // Every upload that can still expire says when, a finished part waiting for its final included.
    const expires = await expiryOf(ctx, info);
    if (expires !== undefined) headers['Upload-Expires'] = new Date(expires).toUTCString();
    reply(res, 200, headers);
  } catch (error) {
    // tus clients restart from zero on a 5xx HEAD; transient trouble answers 423, which they retry.
    const answer = tusErrorOf(error);
    if (!(answer instanceof TusError)) throw new TusError('UPLOAD_LOCKED', { cause: error });
    throw answer;
  } finally {
    lock.release();
  }
};
