import type { IncomingMessage } from 'node:http';
import { StoreError } from '../store/store-errors';
import type { StoredUpload } from '../store/types';
import type { UploadLock } from './upload-locks';
import { whileServerBusy } from './busy-socket';
import type { TusContext } from './tus-context';
import type { ChecksumRequest } from './tus-headers';
import { TusError, tusErrorOf } from './tus-errors';
import { completeUpload } from './upload-lookup';

export type BodyOutcome =
  | { kind: 'stored'; offset: number; completed: boolean }
  | { kind: 'interrupted'; offset: number }
  | { kind: 'client-gone'; offset: number };

/**
 * Appends a request body at `offset` (shared by PATCH and creation-with-upload). The caller holds the
 * lock. Bytes received are kept even when the client vanishes; the progress hub sees only bytes
 * stored for good (verified, and flushed when durable), so it never shows more than a HEAD would.
 */
export async function receiveBody(
  req: IncomingMessage,
  ctx: TusContext,
  stored: StoredUpload,
  lock: UploadLock,
  checksum?: ChecksumRequest,
  fresh = false,
): Promise<BodyOutcome> {
  const { info } = stored;
  const id = info.id;
  const limit = info.length ?? ctx.config.maxSize;
  const declared = req.headers['content-length'];
  // A declared body that cannot fit is refused before a byte is written.
  if (declared !== undefined && stored.offset + Number(declared) > limit) {
    throw new TusError(info.length === null ? 'UPLOAD_TOO_LARGE' : 'BODY_EXCEEDS_LENGTH');
  }
  ctx.progress.transition(id, 'running');
  let result;
  try {
    result = await ctx.store.append(id, req, {
      offset: stored.offset,
      maxBytes: limit - stored.offset,
      checksum,
      ...(declared === undefined ? {} : { expectedBytes: Number(declared) }),
      signal: lock.signal,
      // Node copies each socket read of the body into a buffer of its own, which nothing else keeps.
      releaseChunks: true,
      onProgress: (offset) => ctx.progress.advance(id, offset),
    });
  } catch (error) {
    const answer = tusErrorOf(error);
    if (error instanceof StoreError && error.code === 'INSUFFICIENT_STORAGE' && error.offset !== undefined) {
      // The disk filled mid-write: what was saved counts, and the upload waits for space.
      ctx.progress.advance(id, error.offset);
      ctx.progress.transition(id, 'paused', {
        message: 'The receiving disk is full',
        errorCode: 'INSUFFICIENT_STORAGE',
      });
      throw answer;
    }
    // The chunk was refused (checksum, offset) or the disk failed under it: the upload stops here,
    // resumable from what was kept.
    const storage = answer instanceof TusError && answer.code.startsWith('STORAGE_');
    ctx.progress.transition(id, 'paused', storage ? { message: answer.message, errorCode: answer.code } : undefined);
    throw answer;
  }
  ctx.counters.bytes(result.offset - stored.offset);
  ctx.progress.advance(id, result.offset);
  const completed = info.length !== null && result.offset === info.length;
  if (completed) {
    // The checksum extension verified these bytes; from offset 0 to the end that is the whole file.
    const bodySha256 =
      checksum?.algorithm === 'sha256' && stored.offset === 0 ? checksum.digest.toString('hex') : undefined;
    await whileServerBusy(req.socket, () => completeUpload(ctx, info, { fresh, bodySha256 }));
  } else if (result.interrupted || result.exceeded) {
    ctx.progress.transition(id, 'paused');
  }
  if (result.exceeded)
    throw new TusError('BODY_EXCEEDS_LENGTH', { headers: { 'Upload-Offset': String(result.offset) } });
  if (result.interrupted && !completed) {
    return lock.signal.aborted
      ? { kind: 'interrupted', offset: result.offset }
      : { kind: 'client-gone', offset: result.offset };
  }
  return { kind: 'stored', offset: result.offset, completed };
}
