import type { StoredUpload, UploadInfo } from '../store/types';
import type { TusContext } from './tus-context';
import { TusError } from './tus-errors';

const idPattern = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * Ids are server-generated base64url. Anything else (including ids that decode to `/`, `\`, NUL
 * or `..`) is unknown: 404 before any filesystem access.
 */
export function requireValidId(rawId: string | undefined): string {
  let id: string;
  try {
    id = decodeURIComponent(rawId ?? '');
  } catch {
    throw new TusError('UPLOAD_NOT_FOUND');
  }
  if (!idPattern.test(id)) throw new TusError('UPLOAD_NOT_FOUND');
  return id;
}

export function isExpired(info: UploadInfo, expireAfterMs: number, now = Date.now()): boolean {
  if (info.status === 'expired') return true;
  if (info.concat?.kind === 'final') return false;
  // A finished part is a building block until a final upload uses it: unused, it expires like any
  // unfinished upload, so its bytes (which may share a file with one that landed) do not stay forever.
  if (info.status === 'completed' && (info.concat?.kind !== 'partial' || info.dataReleased)) return false;
  return Date.parse(info.touchedAt) + expireAfterMs < now;
}

/** Marks an incomplete upload expired and frees its bytes; the id then answers 410. */
export async function expireUpload(ctx: TusContext, id: string): Promise<void> {
  await ctx.store.releaseData(id);
  await ctx.store.update(id, { status: 'expired' });
  ctx.progress.transition(id, 'expired', { message: 'The upload expired after inactivity', errorCode: 'UPLOAD_EXPIRED' });
}

/** Loads an upload for a request: 404 when unknown, 410 when expired. */
export async function loadUpload(ctx: TusContext, id: string): Promise<StoredUpload> {
  const stored = await ctx.store.get(id);
  if (!stored) throw new TusError('UPLOAD_NOT_FOUND');
  if (stored.info.status === 'failed') throw new TusError('UPLOAD_FAILED');
  if (isExpired(stored.info, ctx.config.expireAfterMs)) {
    // Every caller holds this upload's lock (so no PATCH is running): an isLocked() check here was
    // always true and kept the expired bytes on disk until the next sweep.
    if (stored.info.status !== 'expired') await expireUpload(ctx, id);
    throw new TusError('UPLOAD_EXPIRED');
  }
  return stored;
}

export function filenameOf(info: UploadInfo): string {
  return info.metadata.filename ?? info.metadata.name ?? info.id;
}

/**
 * Finishes an upload whose offset reached its length. Partial uploads only change state; others move
 * into the receive folder. `finalizing` is persisted first so a crash mid-move is finished at startup;
 * an upload created and filled by one request (`fresh`) skips that: its client has no URL to resume yet.
 * The closing record write need not be durable: a crash before it leaves `finalizing` without data,
 * which startup reads as completed.
 */
export async function completeUpload(ctx: TusContext, info: UploadInfo, options: { fresh?: boolean; bodySha256?: string } = {}): Promise<void> {
  if (info.status === 'completed') return;
  if (info.concat?.kind === 'partial') {
    await ctx.store.update(info.id, { status: 'completed' });
  } else {
    await verifyEndToEnd(ctx, info, options.bodySha256);
    if (!options.fresh) await ctx.store.update(info.id, { finalizing: true });
    const placedPath = await ctx.place(ctx.store.dataPath(info.id), info.metadata);
    await ctx.store.update(info.id, { finalizing: false, placedPath, status: 'completed', dataReleased: true }, { durable: false });
  }
  ctx.progress.transition(info.id, 'completed');
  ctx.counters.finished();
}

/**
 * End to end: a client that names the whole file's sha256 in its metadata gets it checked before the
 * file lands. A mismatch discards the bytes (they are not the user's file) and fails the upload.
 */
async function verifyEndToEnd(ctx: TusContext, info: UploadInfo, bodySha256?: string): Promise<void> {
  const expected = info.metadata.sha256?.toLowerCase();
  if (!expected) return;
  // Known without reading the file again: a whole file that arrived in one request under a verified
  // sha256 Upload-Checksum, or bytes the store hashed in order as they arrived (a one-part final's are its part's).
  const parts = info.concat?.kind === 'final' ? info.concat.parts : [info.id];
  const hashedOnArrival = () => (parts.length === 1 ? ctx.store.sha256Of?.(parts[0]!, info.length ?? 0) : undefined);
  const actual = bodySha256 ?? (await hashedOnArrival()) ?? (await ctx.hashFile(ctx.store.dataPath(info.id)));
  if (actual === expected) return;
  await ctx.store.releaseData(info.id);
  await ctx.store.update(info.id, { status: 'failed' });
  ctx.progress.transition(info.id, 'failed', { message: 'The received bytes do not match the sha256 the sender declared', errorCode: 'SHA256_MISMATCH' });
  throw new TusError('SHA256_MISMATCH');
}

export function uploadUrl(host: string | undefined, basePath: string, id: string, encrypted: boolean): string {
  return host ? `${encrypted ? 'https' : 'http'}://${host}${basePath}${id}` : `${basePath}${id}`;
}
