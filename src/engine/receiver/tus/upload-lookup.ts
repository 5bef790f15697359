import { isTerminal } from '../../../shared/progress-event';
import type { StoredUpload, UploadInfo } from '../store/types';
import type { TusContext } from './tus-context';
import { TusError } from './tus-errors';

const idPattern = /^[A-Za-z0-9_-]{8,64}$/;
// Parts of one file are created together: a part created up to this long after a finished one
// counts as its sibling.
const siblingWindowMs = 60_000;

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

/** A finished part no final upload has used yet: it waits for its siblings. */
export function isWaitingPart(info: UploadInfo): boolean {
  return info.status === 'completed' && info.concat?.kind === 'partial' && !info.dataReleased;
}

/**
 * When an upload expires after inactivity (epoch ms), or undefined when it never does: it landed, or
 * it is gone already. A finished part is a building block until a final upload uses it: unused, it
 * expires like any unfinished upload, so its bytes do not stay forever; but not while partial uploads
 * created with it (its siblings, still arriving) are active. `active` are the unfinished uploads.
 */
export function expiresAt(
  info: UploadInfo,
  expireAfterMs: number,
  active: readonly UploadInfo[] = [],
): number | undefined {
  if (isTerminal(info.status) && !isWaitingPart(info)) return undefined;
  let last = Date.parse(info.touchedAt);
  if (isWaitingPart(info)) {
    const finishedAt = Date.parse(info.finishedAt ?? info.touchedAt);
    last = Math.max(last, finishedAt);
    for (const other of active) {
      // Still arriving, or finished and waiting too: the final that uses them all has not come yet.
      const sibling =
        other.id !== info.id &&
        other.concat?.kind === 'partial' &&
        (!isTerminal(other.status) || isWaitingPart(other)) &&
        Date.parse(other.createdAt) <= finishedAt + siblingWindowMs;
      if (sibling) last = Math.max(last, Date.parse(other.touchedAt), Date.parse(other.finishedAt ?? other.touchedAt));
    }
  }
  return last + expireAfterMs;
}

export function isExpired(
  info: UploadInfo,
  expireAfterMs: number,
  now = Date.now(),
  active: readonly UploadInfo[] = [],
): boolean {
  if (info.status === 'expired') return true;
  const at = expiresAt(info, expireAfterMs, active);
  return at !== undefined && at < now;
}

/** The unfinished uploads; one with a request streaming into it counts as touched `now`. */
export async function activeUploads(ctx: TusContext, now = Date.now()): Promise<UploadInfo[]> {
  const touched = new Date(now).toISOString();
  return (await ctx.store.listActive()).map((info) =>
    ctx.locks.isLocked(info.id) ? { ...info, touchedAt: touched } : info,
  );
}

/** When this upload expires, looking at its siblings when it is a finished part. */
export async function expiryOf(ctx: TusContext, info: UploadInfo): Promise<number | undefined> {
  return expiresAt(info, ctx.config.expireAfterMs, isWaitingPart(info) ? await activeUploads(ctx) : []);
}

/** Marks an incomplete upload expired and frees its bytes; the id then answers 410. */
export async function expireUpload(ctx: TusContext, id: string): Promise<void> {
  await ctx.store.releaseData(id, { status: 'expired' });
  ctx.progress.transition(id, 'expired', {
    message: 'The upload expired after inactivity',
    errorCode: 'UPLOAD_EXPIRED',
  });
}

/** Loads an upload for a request: 404 when unknown, 410 when expired. */
export async function loadUpload(ctx: TusContext, id: string): Promise<StoredUpload> {
  const stored = await ctx.store.get(id);
  if (!stored) throw new TusError('UPLOAD_NOT_FOUND');
  if (stored.info.status === 'failed') throw new TusError('UPLOAD_FAILED');
  const at = stored.info.status === 'expired' ? 0 : await expiryOf(ctx, stored.info);
  if (at !== undefined && at < Date.now()) {
    // Every caller holds this upload's lock (so no PATCH is running): an isLocked() check here was
    // always true and kept the expired bytes on disk until the next sweep.
    if (stored.info.status !== 'expired') await expireUpload(ctx, id);
    throw new TusError('UPLOAD_EXPIRED');
  }
  return stored;
}

/** A completed upload whose file was deleted (or moved) from the receive folder since it landed. */
export async function landedFileGone(ctx: TusContext, info: UploadInfo): Promise<boolean> {
  if (info.status !== 'completed' || !info.placedPath || !ctx.placedExists) return false;
  return !(await ctx.placedExists(info.placedPath));
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
export async function completeUpload(
  ctx: TusContext,
  info: UploadInfo,
  options: { fresh?: boolean; bodySha256?: string } = {},
): Promise<void> {
  if (info.status === 'completed') return;
  if (info.concat?.kind === 'partial') {
    await ctx.store.update(info.id, { status: 'completed' });
  } else {
    await verifyEndToEnd(ctx, info, options.bodySha256);
    if (!options.fresh) await ctx.store.update(info.id, { finalizing: true });
    const placedPath = await ctx.place(ctx.store.dataPath(info.id), info.metadata);
    await ctx.store.update(
      info.id,
      { finalizing: false, placedPath, status: 'completed', dataReleased: true },
      { durable: false },
    );
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
  await ctx.store.releaseData(info.id, { status: 'failed' });
  ctx.progress.transition(info.id, 'failed', {
    message: 'The received bytes do not match the sha256 the sender declared',
    errorCode: 'SHA256_MISMATCH',
  });
  throw new TusError('SHA256_MISMATCH');
}

export function uploadUrl(host: string | undefined, basePath: string, id: string, encrypted: boolean): string {
  return host ? `${encrypted ? 'https' : 'http'}://${host}${basePath}${id}` : `${basePath}${id}`;
}
