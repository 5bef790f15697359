import { open, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { DigestWorker } from '../../crypto/digest-worker';
import { syncDirectory } from '../../fs/atomic-file';
import { writeMarker } from './rollback-marker';
import type { RunningDigests } from './running-digests';
import { StoreError, storageError, writeFailure } from './store-errors';
import type { StoreFs } from './store-fs';
import type { StorePaths } from './store-layout';
import type { AppendOptions, AppendResult, UploadInfo } from './types';
import { pumpToFile } from './write-pump';

// One flush at a time, every this many bytes. Measured against 1 and 4 MiB with 8 MiB chunks on
// loopback: flushing more often made each chunk slower (about 240 against 300 MB/s) and cost more CPU,
// because the flushes contend with the writes they overlap.
const backgroundFlushBytes = 32 * 1024 * 1024;
// On a slow link 32 MiB can take minutes; progress counts flushed bytes, so flush at least this often.
const backgroundFlushMs = 1_000;

// A body's tail this small is copied into the digest's own batch instead of read in place: cheaper
// than a round trip to the digest thread, and a small body is then hashed inline at its end.
const copiedPieceBytes = 64 * 1024;

/** What an append needs from the file store that owns the upload. */
export interface AppendContext {
  dir: string;
  durable: boolean;
  paths: StorePaths;
  fs: StoreFs;
  digests: DigestWorker;
  runningDigests: RunningDigests;
  /** The records in memory; the upload's is known to exist. */
  infos: Map<string, UploadInfo>;
  /** Records kept in memory only (`persist: false`) until their first write. */
  unpersisted: Set<string>;
  writeInfo(info: UploadInfo, sync?: boolean): Promise<void>;
}

/** Background flushes while bytes arrive: how far the data is known to be on disk. */
function backgroundFlusher(handle: FileHandle, path: string, fs: StoreFs, onDurable: (written: number) => void) {
  let flushing: Promise<void> | undefined;
  let requested = 0;
  let lastAt = Date.now();
  const state = { durable: 0, failure: undefined as unknown };
  return {
    state,
    /** After each write: start a flush when enough bytes or time went by, and none is running. */
    wrote(written: number) {
      if (flushing || state.failure !== undefined || written === requested) return;
      if (written - requested < backgroundFlushBytes && Date.now() - lastAt < backgroundFlushMs) return;
      const upTo = (requested = written);
      lastAt = Date.now();
      flushing = fs
        .datasync(handle, path)
        .then(
          () => {
            state.durable = upTo;
            onDurable(upTo);
          },
          (error: unknown) => {
            state.failure ??= error;
          },
        )
        .finally(() => (flushing = undefined));
    },
    settled: () => flushing,
  };
}

/**
 * Appends one request body to an upload's data file: checks the offset, verifies a checksum (rolling
 * the chunk back when it fails), feeds the running digest and flushes in the background. Progress is
 * reported only for bytes that are stored for good: verified, and on disk when durable.
 */
export async function appendChunk(
  context: AppendContext,
  id: string,
  source: Readable,
  appendOptions: AppendOptions,
): Promise<AppendResult> {
  const { durable, paths, fs, digests, runningDigests, infos, unpersisted } = context;
  const dataPath = paths.dataPath(id);
  const handle = await open(dataPath, 'a').catch((error: unknown) => {
    throw storageError(error);
  });
  try {
    const start = (await handle.stat()).size;
    if (start !== appendOptions.offset) throw new StoreError('OFFSET_MISMATCH', { offset: start });
    const checksum = appendOptions.checksum;
    // The rollback marker guards a crash mid-chunk; an upload with no record on disk yet has
    // nothing to roll back (a crash leaves bytes without a record, quarantined at startup).
    const marked = checksum !== undefined && !unpersisted.has(id);
    if (marked) {
      const length = appendOptions.expectedBytes;
      await writeMarker(
        paths.pendingPath(id),
        { start, ...(length === undefined ? {} : { length }), checksum },
        fs,
        durable,
      ).catch((error: unknown) => {
        throw storageError(error);
      });
    }
    // Verified on a worker thread, so a checksummed upload does not stall every other socket.
    const hash = checksum ? digests.start(checksum.algorithm) : undefined;
    // A sha256 Upload-Checksum over the whole upload already is its digest: no second hash.
    // Not for an upload created and filled by one request (no record on disk yet): its sha256
    // Upload-Checksum, or one read of a small file, already answers at completion.
    const whole = unpersisted.has(id) ? undefined : runningDigests.begin(infos.get(id)!, start);
    let fed = 0;
    const hashing = hash !== undefined || whole !== undefined;
    /** Hashed before it returns, so the caller may reuse the piece at once. */
    const hashNow = (piece: Buffer) => {
      fed += piece.length;
      hash?.update(piece);
      whole?.update(piece);
    };
    // A checksummed chunk counts only once verified; other bytes once written, or flushed when durable.
    const report = (written: number) => {
      if (!checksum) appendOptions.onProgress?.(start + written);
    };
    const flusher = backgroundFlusher(handle, dataPath, fs, report);
    const result = await pumpToFile(source, handle, {
      maxBytes: appendOptions.maxBytes,
      signal: appendOptions.signal,
      releaseChunks: appendOptions.releaseChunks,
      // On the event loop, as bytes arrive: nothing to stage for another thread.
      hashNow: hashing && digests.inline ? hashNow : undefined,
      // Pieces of shared memory, which the digest thread reads in place: the pump reuses them once hashed.
      hash:
        hashing && !digests.inline
          ? (piece) => {
              if (piece.length <= copiedPieceBytes) return (hashNow(piece), Promise.resolve());
              fed += piece.length;
              if (!whole) return hash!.updateShared(piece);
              if (!hash) return whole.updateShared(piece);
              return Promise.all([hash.updateShared(piece), whole.updateShared(piece)]);
            }
          : undefined,
      onWritten: (written) => (durable ? flusher.wrote(written) : report(written)),
    });
    await flusher.settled();
    const incomplete = result.interrupted || result.error !== undefined;
    if (incomplete) hash?.drop();
    const digest = hash && !incomplete ? await hash.finish() : undefined;
    const rejected = checksum !== undefined && (incomplete || !digest!.equals(checksum.digest));
    let offset = start + result.written;
    if (rejected) {
      await handle.truncate(start);
      offset = start;
    }
    const syncFailure = durable ? await syncOrFailure(handle, dataPath, fs, flusher.state.failure) : undefined;
    if (syncFailure !== undefined) {
      // The tail after the last good flush may never reach the disk: it is not counted, and the
      // digest that saw it is dropped. A checksummed chunk is not acknowledged at all.
      runningDigests.settle(id, undefined);
      const kept = checksum ? start : start + flusher.state.durable;
      await handle.truncate(kept);
      await fs.sync(handle, dataPath).catch(() => undefined);
      if (marked) await unlink(paths.pendingPath(id)).catch(() => undefined);
      throw writeFailure(syncFailure, kept);
    }
    const reached = result.error ? undefined : rejected ? start : start + fed === offset ? offset : undefined;
    // An append that went by untracked (a digest still catching up) tells it where the bytes now end.
    runningDigests.settle(id, whole ? reached : result.error ? undefined : offset);
    if (marked) await clearMarker(context, id, appendOptions.expectedBytes === undefined);
    if (result.error) throw writeFailure(result.error, (await handle.stat()).size);
    if (rejected && !result.interrupted) throw new StoreError('CHECKSUM_MISMATCH', { offset: start });
    touch(context, id, start, offset);
    return { offset, exceeded: result.exceeded, interrupted: result.interrupted };
  } finally {
    await handle.close();
  }
}

async function syncOrFailure(handle: FileHandle, path: string, fs: StoreFs, earlier: unknown): Promise<unknown> {
  if (earlier !== undefined) return earlier;
  try {
    await fs.sync(handle, path);
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * The chunk is verified and on disk: the marker goes. Its removal need not be fsynced when the marker
 * names the chunk's length (startup checks a marker that comes back); without one it must be.
 */
async function clearMarker(context: AppendContext, id: string, mustSync: boolean): Promise<void> {
  await unlink(context.paths.pendingPath(id));
  if (mustSync && context.durable) await syncDirectory(context.dir);
}

function touch(context: AppendContext, id: string, start: number, offset: number): void {
  const info = context.infos.get(id)!;
  // A completing append needs no touch: completion rewrites the record right after.
  if (offset <= start || info.length === offset) return;
  info.touchedAt = new Date().toISOString();
  // Persisted too: the Upload-Expires promised from touchedAt must hold after a restart (best effort:
  // the bytes are already safe, and a failed record write only makes expiry come early). No fsync:
  // two per chunk would cost more than the chunk, and a power cut only brings expiry forward.
  // Not awaited either: the acknowledgement does not depend on it, and writes per id stay ordered.
  void context.writeInfo(info, false).catch(() => undefined);
}
