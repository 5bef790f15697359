import { open, unlink, writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { DigestWorker } from '../../crypto/digest-worker';
import { syncDirectory } from '../../fs/atomic-file';
import { TusError } from '../tus/tus-errors';
import type { RunningDigests } from './running-digests';
import { StorageFullError, storageError } from './storage-errors';
import type { StorePaths } from './store-layout';
import type { AppendOptions, AppendResult, UploadInfo } from './types';
import { pumpToFile } from './write-pump';

// One flush at a time, every this many bytes. Measured against 1 and 4 MiB with 8 MiB chunks on
// loopback: flushing more often made each chunk slower (about 240 against 300 MB/s) and cost more CPU,
// because the flushes contend with the writes they overlap.
const backgroundFlushBytes = 32 * 1024 * 1024;

/** What an append needs from the file store that owns the upload. */
export interface AppendContext {
  dir: string;
  durable: boolean;
  paths: StorePaths;
  digests: DigestWorker;
  runningDigests: RunningDigests;
  /** The records in memory; the upload's is known to exist. */
  infos: Map<string, UploadInfo>;
  /** Records kept in memory only (`persist: false`) until their first write. */
  unpersisted: Set<string>;
  writeInfo(info: UploadInfo, sync?: boolean): Promise<void>;
}

/**
 * Appends one request body to an upload's data file: checks the offset, verifies a checksum (rolling
 * the chunk back when it fails), feeds the running digest and flushes in the background.
 */
export async function appendChunk(context: AppendContext, id: string, source: Readable, appendOptions: AppendOptions): Promise<AppendResult> {
  const { dir, durable, paths, digests, runningDigests, infos, unpersisted } = context;
  const handle = await open(paths.dataPath(id), 'a').catch((error: unknown) => {
    throw storageError(error);
  });
  try {
    const start = (await handle.stat()).size;
    if (start !== appendOptions.offset) throw new TusError('OFFSET_MISMATCH', { headers: { 'Upload-Offset': String(start) } });
    const checksum = appendOptions.checksum;
    // The rollback marker guards a crash mid-chunk; an upload with no record on disk yet has
    // nothing to roll back (a crash leaves bytes without a record, quarantined at startup).
    const marked = checksum !== undefined && !unpersisted.has(id);
    if (marked) {
      await writeFile(paths.pendingPath(id), String(start));
      if (durable) await syncDirectory(dir);
    }
    // Verified on a worker thread, so a checksummed upload does not stall every other socket.
    const hash = checksum ? digests.start(checksum.algorithm) : undefined;
    // A sha256 Upload-Checksum over the whole upload already is its digest: no second hash.
    // Not for an upload created and filled by one request (no record on disk yet): its sha256
    // Upload-Checksum, or one read of a small file, already answers at completion.
    const whole = unpersisted.has(id) ? undefined : runningDigests.begin(infos.get(id)!, start);
    let fed = 0;
    // Flush to disk in the background while bytes keep arriving, so the fsync before the
    // acknowledgement only has the tail left instead of the whole body.
    let flushing: Promise<void> | undefined;
    let flushedUpTo = 0;
    const result = await pumpToFile(source, handle, {
      maxBytes: appendOptions.maxBytes,
      signal: appendOptions.signal,
      // The pump calls this for every socket read: only a tracked upload pays for the second digest.
      hash: whole
        ? {
            update(piece) {
              hash?.update(piece);
              whole.update(piece);
              fed += piece.length;
            },
          }
        : hash,
      onWritten: (written) => {
        appendOptions.onProgress?.(start + written);
        if (durable && !flushing && written - flushedUpTo >= backgroundFlushBytes) {
          flushedUpTo = written;
          flushing = handle.datasync().catch(() => undefined).finally(() => (flushing = undefined));
        }
      },
    });
    await flushing;
    let offset = start + result.written;
    const incomplete = result.interrupted || result.error !== undefined;
    if (incomplete) hash?.drop();
    const digest = hash && !incomplete ? await hash.finish() : undefined;
    const rejected = checksum && (incomplete || !digest!.equals(checksum.digest));
    if (rejected) {
      await handle.truncate(start);
      offset = start;
    }
    runningDigests.settle(id, !rejected && !result.error && start + fed === offset ? offset : undefined);
    if (durable) await handle.sync();
    if (marked) await unlink(paths.pendingPath(id));
    if (result.error) {
      if (result.error.code === 'ENOSPC' || result.error.code === 'EDQUOT') throw new StorageFullError((await handle.stat()).size, result.error);
      const mapped = storageError(result.error);
      throw mapped instanceof TusError ? mapped : new TusError('STORAGE_FAILED', { cause: result.error });
    }
    if (rejected && !result.interrupted) throw new TusError('CHECKSUM_MISMATCH', { headers: { 'Upload-Offset': String(start) } });
    const completing = infos.get(id)!.length === offset;
    // A completing append needs no touch: completion rewrites the record right after.
    if (offset > start && !completing) {
      const info = infos.get(id)!;
      info.touchedAt = new Date().toISOString();
      // Persisted too: the Upload-Expires promised from touchedAt must hold after a restart (best effort:
      // the bytes are already safe, and a failed record write only makes expiry come early). No fsync:
      // two per chunk would cost more than the chunk, and a power cut only brings expiry forward.
      // Not awaited either: the acknowledgement does not depend on it, and writes per id stay ordered.
      void context.writeInfo(info, false).catch(() => undefined);
    }
    return { offset, exceeded: result.exceeded, interrupted: result.interrupted };
  } finally {
    await handle.close();
  }
}
