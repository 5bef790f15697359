import type { TusHandler } from './tus-context';
import { isOffsetStream, parseCanonicalInteger, parseChecksum } from './tus-headers';
import { expiresHeader, reply } from './tus-response';
import { TusError } from './tus-errors';
import { receiveBody } from './receive-body';
import { loadUpload, requireValidId } from './upload-lookup';
import { whileServerBusy } from './busy-socket';
import { confirmedSha256 } from './confirmed-sha256';

export const handlePatch: TusHandler = async (req, res, ctx, rawId) => {
  const id = requireValidId(rawId);
  // tus: "All PATCH requests MUST use Content-Type: application/offset+octet-stream, otherwise the server SHOULD return a 415".
  if (!isOffsetStream(req.headers['content-type'])) throw new TusError('INVALID_CONTENT_TYPE');
  const claimed = parseCanonicalInteger(req.headers['upload-offset'] as string | undefined, 'INVALID_OFFSET');
  if (claimed === undefined) throw new TusError('MISSING_OFFSET');
  const checksum = parseChecksum(req.headers['upload-checksum'] as string | undefined);
  const newLength = parseCanonicalInteger(req.headers['upload-length'] as string | undefined, 'INVALID_LENGTH');

  // Waiting for another request to let go is the server's business: no idle timeout meanwhile.
  const lock = await whileServerBusy(req.socket, () => ctx.locks.acquire(id, ctx.config.lockTimeoutMs));
  try {
    const stored = await loadUpload(ctx, id);
    const { info } = stored;
    if (info.concat?.kind === 'final') throw new TusError('FINAL_UPLOAD_PATCH');
    if (claimed !== stored.offset)
      throw new TusError('OFFSET_MISMATCH', { headers: { 'Upload-Offset': String(stored.offset) } });
    if (newLength !== undefined) {
      // creation-defer-length: the length arrives with a later PATCH and cannot change after that.
      if (info.length !== null && info.length !== newLength) throw new TusError('LENGTH_ALREADY_SET');
      if (newLength < stored.offset) throw new TusError('LENGTH_BELOW_OFFSET');
      if (newLength > ctx.config.maxSize) throw new TusError('UPLOAD_TOO_LARGE');
      if (info.length === null) {
        stored.info = await ctx.store.update(id, { length: newLength });
        ctx.progress.setLength(id, newLength);
      }
    }
    if (stored.info.status === 'completed') {
      reply(res, 204, { 'Upload-Offset': String(stored.offset), ...confirmedSha256(stored.info) });
      return;
    }
    const outcome = await receiveBody(req, ctx, stored, lock, checksum);
    if (outcome.kind === 'interrupted') {
      // Request release: a newer request took over; this one has persisted its bytes and steps aside.
      res.setHeader('Connection', 'close');
      const reason = lock.signal.reason instanceof TusError ? lock.signal.reason.code : 'ERR_UPLOAD_INTERRUPTED';
      throw new TusError(reason === 'SERVER_SHUTTING_DOWN' ? reason : 'ERR_UPLOAD_INTERRUPTED', {
        headers: {
          'Upload-Offset': String(outcome.offset),
          ...(reason === 'SERVER_SHUTTING_DOWN' ? { 'Retry-After': '5' } : {}),
        },
      });
    }
    if (outcome.kind === 'client-gone') return;
    // The store touches the record it handed out as it appends: no second lookup (and stat) per chunk.
    // Were the record replaced meanwhile, this touch is older, so the promised expiry only comes sooner.
    reply(res, 204, {
      'Upload-Offset': String(outcome.offset),
      ...(outcome.completed
        ? confirmedSha256(stored.info, true)
        : expiresHeader(stored.info.touchedAt, ctx.config.expireAfterMs)),
    });
  } finally {
    lock.release();
  }
};
