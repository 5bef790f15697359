import { createDigestPool } from '../crypto/digest-pool';
import type { DigestSession } from '../crypto/digest-worker';

export interface ChunkHasher {
  /** The tus `Upload-Checksum` value for a chunk. */
  checksum(buffer: Buffer): Promise<string>;
  /** A whole-file sha256 fed piece by piece, in order. */
  session(): DigestSession;
  /** sha256 of a file (its first `length` bytes, if given) as lowercase hex, streamed from disk. */
  hashFile(path: string, signal?: AbortSignal, length?: number): Promise<string>;
  /** Bytes hashed so far, by every method together. */
  readonly hashedBytes: number;
  close(): Promise<void>;
}

/** A buffer over shared memory: the hashing thread reads it in place, with no copy. */
export function allocChunk(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(Math.max(1, size)), 0, size);
}

/**
 * Hashes chunks on a worker thread, so sha256 (about 1.5 s of CPU per GiB) never blocks the event
 * loop that feeds the sockets. Chunks from `allocChunk` are read in place; others are copied.
 */
export function createChunkHasher(): ChunkHasher {
  const worker = createDigestPool();
  return {
    async checksum(buffer) {
      return `sha256 ${(await worker.digest('sha256', buffer)).toString('base64')}`;
    },
    session: () => worker.start('sha256'),
    hashFile: async (path, signal, length) => (await worker.digestFile('sha256', path, signal, length)).toString('hex'),
    get hashedBytes() {
      return worker.hashedBytes;
    },
    close: () => worker.close(),
  };
}
