import type { Readable } from 'node:stream';
import type { DigestWorker } from '../../crypto/digest-worker';
import { multipartError } from './multipart-errors';
import type { OpenedFile } from '../landing/receive-folder';

export interface StoredPart {
  /** The stored display name (sanitized, with any collision suffix). */
  name: string;
  size: number;
  sha256: string;
  /** Relative to the receive folder, with `/`. */
  path: string;
}

export interface FileJobHooks {
  /** Reserves the target file; called on the first byte, or at the end for an empty file. */
  open(): Promise<OpenedFile>;
  /** The file exists on disk now (so it must be cleaned up on failure). */
  onOpened(file: OpenedFile): void;
  /** `offset` bytes are written to the file (the write call has completed). */
  onWritten(offset: number): void;
}

export interface FileJobOptions {
  maxFileSize: number;
  /** A part with no usable content may be skipped instead of stored (see the `filename=""` note). */
  skipIfEmpty: boolean;
  /** Hashes off the event loop, as the tus path does: a big file's sha256 would stall every socket. */
  digests: DigestWorker;
}

/** What busboy hands us per file part: a Readable that may carry `truncated` after a 'limit' event. */
export type PartStream = Readable & { truncated?: boolean };

async function writeFully(file: OpenedFile, chunk: Buffer, position: number): Promise<void> {
  let done = 0;
  // write(2) may store fewer bytes than asked (e.g. just before ENOSPC); loop until all are down.
  while (done < chunk.length) {
    const { bytesWritten } = await file.handle.write(chunk, done, chunk.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Streams one file part to disk: the `for await` loop pulls one chunk at a time, so busboy (and with
 * it the socket) waits while the disk is busy; nothing beyond one chunk is held in memory. Resolves
 * after fsync + close, or with `null` when an empty, nameless part was skipped. On failure the handle
 * is closed; deleting the file is the caller's job (it owns every file of the request).
 */
export async function runFileJob(
  stream: PartStream,
  options: FileJobOptions,
  hooks: FileJobHooks,
): Promise<StoredPart | null> {
  const hash = options.digests.start('sha256');
  let file: OpenedFile | undefined;
  let size = 0;
  let hitLimit = false;
  stream.once('limit', () => {
    hitLimit = true;
  });

  const ensureOpen = async (): Promise<OpenedFile> => {
    if (!file) {
      file = await hooks.open();
      hooks.onOpened(file);
    }
    return file;
  };

  try {
    for await (const data of stream) {
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
    // "offset counts bytes safely stored": flush to the device before calling the file complete.
    await target.handle.sync();
    await target.handle.close();
    const name = target.relativePath.slice(target.relativePath.lastIndexOf('/') + 1);
    return { name, size, sha256: (await hash.finish()).toString('hex'), path: target.relativePath };
  } catch (error) {
    hash.drop();
    // Unblock busboy if we stopped reading early; it ends the part on its own otherwise.
    stream.destroy();
    await file?.handle.close().catch(() => undefined);
    throw error;
  }
}
