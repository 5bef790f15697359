import type { Socket } from 'node:net';
import type { UploadInfo } from '../store/types';
import type { UploadLock } from './upload-locks';
import { whileServerBusy } from './busy-socket';
import type { UploadMetadata } from './tus-headers';
import type { TusContext } from './tus-context';
import { TusError } from './tus-errors';
import { completeUpload, filenameOf, requireValidId } from './upload-lookup';

/** Ids of the partial uploads named by a final concatenation, in order. */
function partIdsOf(ctx: TusContext, urls: string[]): string[] {
  return urls.map((url) => {
    const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0]!;
    if (!path.startsWith(ctx.config.basePath)) throw new TusError('PARTIAL_NOT_FOUND');
    return requireValidId(path.slice(ctx.config.basePath.length));
  });
}

/** Resolves the partial uploads named by a final concatenation; each must exist and be complete. */
async function finishedPartials(ctx: TusContext, ids: string[]): Promise<number> {
  let total = 0;
  for (const id of ids) {
    const stored = await ctx.store.get(id);
    if (!stored || stored.info.status === 'expired') throw new TusError('PARTIAL_NOT_FOUND');
    if (stored.info.concat?.kind !== 'partial' || stored.info.length === null || stored.offset !== stored.info.length)
      throw new TusError('PARTIAL_NOT_COMPLETE');
    // A partial's bytes are freed once a final upload uses them; reusing it would read a missing file (500).
    if (stored.info.dataReleased)
      throw new TusError('PARTIAL_NOT_FOUND', {
        message: 'A partial upload named in Upload-Concat was already concatenated and its data is gone',
      });
    total += stored.info.length;
  }
  return total;
}

/** The final upload that already joined exactly these parts, if one did (the client lost its answer). */
async function finalOf(ctx: TusContext, ids: string[]): Promise<UploadInfo | undefined> {
  const first = (await ctx.store.get(ids[0]!))?.info.consumedBy;
  if (!first) return undefined;
  const final = (await ctx.store.get(first))?.info;
  const sameParts = final?.concat?.kind === 'final' && final.concat.parts.join(' ') === ids.join(' ');
  return sameParts && final.status === 'completed' ? final : undefined;
}

// Finals being joined right now, per receiver, by their parts: a retried request waits for the same one
// instead of joining (and landing) the file twice.
const joining = new WeakMap<TusContext, Map<string, Promise<UploadInfo>>>();

/**
 * Creates a final upload from finished partial uploads and lands the file. Idempotent per list of
 * parts: a repeat while it runs, or after it completed, gets the same upload back. The request's
 * `socket` keeps its idle timer off meanwhile: joining and checking a big file is the server's work.
 */
export async function createFinalUpload(
  ctx: TusContext,
  urls: string[],
  metadata: UploadMetadata,
  id: string,
  now: string,
  socket?: Socket,
): Promise<UploadInfo> {
  const ids = partIdsOf(ctx, urls);
  const key = ids.join(' ');
  let inFlight = joining.get(ctx);
  if (!inFlight) joining.set(ctx, (inFlight = new Map()));
  const running = inFlight.get(key);
  if (running) return whileServerBusy(socket, () => running);
  // Registered before the first await, so a request arriving meanwhile finds it.
  const work = finalOf(ctx, ids).then((earlier) => earlier ?? join(ctx, ids, metadata, id, now));
  inFlight.set(key, work);
  try {
    return await whileServerBusy(socket, () => work);
  } finally {
    inFlight.delete(key);
  }
}

/**
 * Holds the parts (and the new final) for the whole join: a DELETE or PATCH of a part waits until the
 * file has landed and the part is marked used, and the sweeper leaves the unfinished final alone.
 * Taken in one order, so two finals sharing parts cannot wait on each other.
 */
async function lockAll(ctx: TusContext, ids: string[]): Promise<UploadLock[]> {
  const locks: UploadLock[] = [];
  try {
    for (const id of [...new Set(ids)].sort()) locks.push(await ctx.locks.acquire(id, ctx.config.lockTimeoutMs));
  } catch (error) {
    for (const lock of locks) lock.release();
    throw error;
  }
  return locks;
}

async function join(
  ctx: TusContext,
  ids: string[],
  metadata: UploadMetadata,
  id: string,
  now: string,
): Promise<UploadInfo> {
  // Checked before locking too: taking a lock interrupts its holder, and a part still arriving must not be.
  await finishedPartials(ctx, ids);
  const locks = await lockAll(ctx, [...ids, id]);
  try {
    const total = await finishedPartials(ctx, ids);
    if (total > ctx.config.maxSize) throw new TusError('UPLOAD_TOO_LARGE');
    if (total > (await ctx.store.freeBytes())) throw new TusError('INSUFFICIENT_STORAGE');
    const info: UploadInfo = {
      id,
      length: total,
      metadata,
      status: 'created',
      createdAt: now,
      touchedAt: now,
      concat: { kind: 'final', parts: ids },
    };
    await ctx.store.create(info);
    ctx.counters.created();
    ctx.progress.register({
      uploadId: id,
      source: 'tus',
      filename: filenameOf(info),
      length: info.length,
      status: 'created',
    });
    try {
      await ctx.store.concatenate(id, ids);
    } catch (error) {
      // Never leave a final record without its bytes.
      await ctx.store.remove(id).catch(() => undefined);
      ctx.progress.transition(id, 'failed', { message: 'Concatenation failed', errorCode: 'STORAGE_FAILED' });
      // A concurrent final took a partial's bytes first: that is the client's conflict, not a server fault.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new TusError('PARTIAL_NOT_FOUND', { cause: error });
      throw error;
    }
    ctx.progress.advance(id, total);
    await completeUpload(ctx, info);
    for (const partId of new Set(ids)) await ctx.store.releaseData(partId, { consumedBy: id });
    return (await ctx.store.get(id))?.info ?? info;
  } finally {
    for (const lock of locks) lock.release();
  }
}
