import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StoredUpload, UploadInfo } from '../store/types';
import type { TusContext, TusHandler } from './tus-context';
import { isOffsetStream, parseCanonicalInteger, parseChecksum, parseConcat, parseMetadata } from './tus-headers';
import { expiresHeader, reply } from './tus-response';
import { TusError, tusErrorOf } from './tus-errors';
import { createFinalUpload } from './final-upload';
import { confirmedSha256 } from './confirmed-sha256';
import { keyedSlot } from './keyed-creation';
import { receiveBody } from './receive-body';
import { completeUpload, filenameOf, uploadUrl } from './upload-lookup';
import { senderContext } from '../http/sender-context';

function header(req: IncomingMessage, name: string): string | undefined {
  return req.headers[name] as string | undefined;
}

function hasBody(req: IncomingMessage): boolean {
  return (
    (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') ||
    req.headers['transfer-encoding'] !== undefined
  );
}

/** Reads the declared length: exactly one of Upload-Length and Upload-Defer-Length: 1. */
function declaredLength(req: IncomingMessage): number | null {
  const length = parseCanonicalInteger(header(req, 'upload-length'), 'INVALID_LENGTH');
  const defer = header(req, 'upload-defer-length');
  if (length !== undefined && defer !== undefined) throw new TusError('LENGTH_AND_DEFER');
  if (defer !== undefined && defer !== '1') throw new TusError('INVALID_DEFER_LENGTH');
  if (length === undefined && defer === undefined) throw new TusError('MISSING_LENGTH');
  return length ?? null;
}

/** A repeated keyed creation: the upload the first one made, where it stands. A body on the repeat is not read. */
function replyExisting(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: TusContext,
  { info, offset }: StoredUpload,
): void {
  const finished = info.length !== null && offset === info.length;
  reply(res, 201, {
    Location: uploadUrl(req.headers.host, ctx.config.basePath, info.id, false),
    'Upload-Offset': String(offset),
    ...(finished ? confirmedSha256(info) : expiresHeader(info.touchedAt, ctx.config.expireAfterMs)),
  });
}

export const handlePost: TusHandler = async (req, res, ctx) => {
  const concat = parseConcat(header(req, 'upload-concat'));
  const metadata = parseMetadata(header(req, 'upload-metadata'), ctx.config.metadataLimits);
  if (metadata.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(metadata.sha256))
    throw new TusError('INVALID_METADATA', { message: 'Upload-Metadata sha256 must be 64 hex digits' });
  const now = new Date().toISOString();

  if (concat?.kind === 'final') {
    // tus concatenation: "The Client MUST NOT include the Upload-Length header in the final upload creation."
    if (header(req, 'upload-length') !== undefined || header(req, 'upload-defer-length') !== undefined)
      throw new TusError('INVALID_CONCAT');
    const sealed = await createFinalUpload(ctx, concat.urls, metadata, ctx.newId(), now, req.socket);
    reply(res, 201, {
      Location: uploadUrl(req.headers.host, ctx.config.basePath, sealed.id, false),
      'Upload-Offset': String(sealed.length),
      ...confirmedSha256(sealed),
    });
    return;
  }

  const length = declaredLength(req);
  if (length !== null && length > ctx.config.maxSize) throw new TusError('UPLOAD_TOO_LARGE');
  if (length !== null && length > (await ctx.store.freeBytes())) throw new TusError('INSUFFICIENT_STORAGE');
  const withBody = hasBody(req);
  if (withBody && !isOffsetStream(header(req, 'content-type'))) throw new TusError('INVALID_CONTENT_TYPE');
  const checksum = withBody ? parseChecksum(header(req, 'upload-checksum')) : undefined;
  // A repeat of a keyed creation (the client lost the answer) gets the upload the first one made.
  const slot = await keyedSlot(ctx, metadata, length, concat);
  if (slot?.kind === 'existing') return replyExisting(req, res, ctx, slot.stored);
  const id = slot?.id ?? ctx.newId();
  const location = uploadUrl(req.headers.host, ctx.config.basePath, id, false);

  const info: UploadInfo = {
    id,
    length,
    metadata,
    status: 'created',
    createdAt: now,
    touchedAt: now,
    ...(concat ? { concat } : {}),
  };
  // The whole file in this one request: until the 201 nobody knows this upload, so its record need
  // not be fsynced (a crash before the answer leaves nothing a client could resume).
  const wholeInOneRequest = withBody && !concat && length !== null && header(req, 'content-length') === String(length);
  try {
    await ctx.store.create(info, { persist: !wholeInOneRequest });
  } finally {
    slot?.release();
  }
  ctx.counters.created();
  ctx.progress.register({
    uploadId: id,
    source: 'tus',
    filename: filenameOf(info),
    length,
    status: 'created',
    context: {
      ...senderContext(req),
      ...(metadata.relativePath ? { relativePath: metadata.relativePath.slice(0, 4096) } : {}),
      ...(concat ? { concat: concat.kind } : {}),
    },
  });
  const headers: Record<string, string> = { Location: location };

  if (length === 0) {
    await completeUpload(ctx, info);
    reply(res, 201, { ...headers, 'Upload-Offset': '0', ...confirmedSha256(info, true) });
    return;
  }
  if (!withBody) {
    reply(res, 201, { ...headers, ...expiresHeader(now, ctx.config.expireAfterMs) });
    return;
  }
  // creation-with-upload: the body is the first chunk, under the same lock rules as a PATCH.
  const lock = await ctx.locks.acquire(id, ctx.config.lockTimeoutMs);
  let completed = false;
  try {
    const outcome = await receiveBody(req, ctx, { info, offset: 0 }, lock, checksum, wholeInOneRequest);
    completed = outcome.kind === 'stored' && outcome.completed;
    if (outcome.kind === 'client-gone') return;
    reply(res, 201, {
      ...headers,
      'Upload-Offset': String(outcome.offset),
      ...(completed ? confirmedSha256(info, true) : expiresHeader(new Date().toISOString(), ctx.config.expireAfterMs)),
    });
  } catch (error) {
    // The upload exists; tell the client where, so it can resume with HEAD.
    const answer = tusErrorOf(error);
    if (answer instanceof TusError) Object.assign(answer.headers, headers);
    throw answer;
  } finally {
    // Not finished after all: from now on the upload is resumable, so its record goes to disk.
    if (wholeInOneRequest && !completed) await ctx.store.update(id, {}).catch(() => undefined);
    lock.release();
  }
};
