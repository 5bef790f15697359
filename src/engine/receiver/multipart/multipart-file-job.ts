import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DigestSession, DigestWorker } from '../../crypto/digest-worker';
import { multipartError } from './multipart-errors';
import type { StagedFile } from './multipart-staging';

export interface StagedPart {
  /** Where the bytes wait, in the state folder, until the whole request has arrived. */
  stagedPath: string;
  size: number;
  /** Lowercase hex. */
  sha256: string;
}

export interface FileJobHooks {
  /** Creates the staged file; called on the first byte, or at the end for an empty file. */
  open(): Promise<StagedFile>;
  /** The staged file exists on disk now (so it must be removed on failure). */
  onOpened(file: StagedFile): void;
  /** `offset` bytes are written to the file (the write call has completed). */
  onWritten(offset: number): void;
}

export interface FileJobOptions {
  maxFileSize: number;
  /** A part with no usable content may be skipped instead of stored (see the `filename=""` note). */
  skipIfEmpty: boolean;
  /** Hashes off the event loop, as the tus path does: a big file's sha256 would stall every socket. */
  digests: DigestWorker;
  /**
   * Hash here instead (a bulk request's small files): for a few KiB, the trip to the hashing thread
   * costs more than the hash. A big part costs about 50 µs of the event loop per 64 KiB chunk.
   */
  hashInline?: boolean;
  /**
   * What arrived of the part before it came here (a bulk part held in memory until it passed the
   * held size): written first, and hashed inline on from `hash`, which covers these chunks already.
   */
  held?: { chunks: Buffer[]; hash: Hash };
  /** fsync the file before it counts as received. */
  durable: boolean;
  /** The sha256 the sender declared for this part, lowercase hex: any other content fails the part. */
  expectedSha256?: string;
  /**
   * On failure, read the rest of the part and drop it, so the parser goes on to the next part (a
   * bulk request, where each file fails on its own); otherwise the part stream is destroyed.
   */
  drainOnFailure?: boolean;
  /**
   * Makes the whole, checked staged file durable and closes it, in place of the fsync + close here: a
   * bulk request fsyncs its files together (bulk-sync-group.ts). Called after the sha256 check, so a
   * file that does not match is never synced; it must close the handle whether or not it succeeds.
   */
  settle?: (file: StagedFile) => Promise<void>;
}

type Digest = Pick<DigestSession, 'update' | 'finish' | 'drop'>;

function inlineDigest(hash = createHash('sha256')): Digest {
  return { update: (piece) => void hash.update(piece), finish: async () => hash.digest(), drop: () => undefined };
}

/** What busboy hands us per file part: a Readable that may carry `truncated` after a 'limit' event. */
export type PartStream = Readable & { truncated?: boolean };

async function writeFully(file: StagedFile, chunk: Buffer, position: number): Promise<void> {
  let done = 0;
  // write(2) may store fewer bytes than asked (e.g. just before ENOSPC); loop until all are down.
  while (done < chunk.length) {
    const { bytesWritten } = await file.handle.write(chunk, done, chunk.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Streams one file part to its staged file: the `for await` loop pulls one chunk at a time, so busboy
 * (and with it the socket) waits while the disk is busy; nothing beyond one chunk is held in memory.
 * Resolves after fsync + close and the sha256 check, or with `null` when an empty, nameless part was
 * skipped. On failure the handle is closed; deleting the file is the caller's job (it owns every file
 * of the request).
 */
export async function runFileJob(
  stream: PartStream,
  options: FileJobOptions,
  hooks: FileJobHooks,
): Promise<StagedPart | null> {
  const { held } = options;
  const hash = held ? inlineDigest(held.hash) : options.hashInline ? inlineDigest() : options.digests.start('sha256');
  let file: StagedFile | undefined;
  let size = 0;
  let hitLimit = false;
  stream.once('limit', () => {
    hitLimit = true;
  });

  const ensureOpen = async (): Promise<StagedFile> => {
    if (!file) {
      file = await hooks.open();
      hooks.onOpened(file);
    }
    return file;
  };

  // Leaving a `for await` destroys the stream unless told not to: a part that is to be drained must live.
  const chunks = options.drainOnFailure ? stream.iterator({ destroyOnReturn: false }) : stream;
  try {
    if (held) {
      // One write for what was held, however many pieces it came in.
      const first = Buffer.concat(held.chunks);
      await writeFully(await ensureOpen(), first, 0);
      size = first.length;
      hooks.onWritten(size);
    }
    for await (const data of chunks) {
      const chunk = data as Buffer;
      if (chunk.length === 0) continue;
      if (size + chunk.length > options.maxFileSize) {
        throw multipartError('FILE_TOO_LARGE', `A file is larger than the limit of ${options.maxFileSize} bytes`);
      }
      const target = await ensureOpen();
      await writeFully(target, chunk, size);
      hash.update(chunk);
      size += chunk.length;
      hooks.onWritten(size);
    }
    if (hitLimit || stream.truncated) {
      throw multipartError('FILE_TOO_LARGE', `A file is larger than the limit of ${options.maxFileSize} bytes`);
    }
    if (size === 0 && options.skipIfEmpty) {
      hash.drop();
      return null;
    }
    const target = await ensureOpen();
    if (options.settle) {
      const sha256 = (await hash.finish()).toString('hex');
      if (options.expectedSha256 !== undefined && sha256 !== options.expectedSha256) {
        throw multipartError('SHA256_MISMATCH', 'The received bytes do not match the sha256 the sender declared');
      }
      await options.settle(target);
      return { stagedPath: target.path, size, sha256 };
    }
    // "offset counts bytes safely stored": flush to the device before calling the file complete.
    if (options.durable) await target.handle.sync();
    await target.handle.close();
    const sha256 = (await hash.finish()).toString('hex');
    if (options.expectedSha256 !== undefined && sha256 !== options.expectedSha256) {
      throw multipartError('SHA256_MISMATCH', 'The received bytes do not match the sha256 the sender declared');
    }
    return { stagedPath: target.path, size, sha256 };
  } catch (error) {
    hash.drop();
    // Unblock busboy if we stopped reading early; it ends the part on its own otherwise. A destroyed
    // part never ends, which stops the whole request: right unless the next part is to go on.
    if (options.drainOnFailure && !stream.destroyed) stream.resume();
    else stream.destroy();
    // After a sha256 mismatch the handle is closed already; closing it again is harmless.
    await file?.handle.close().catch(() => undefined);
    throw error;
  }
}
