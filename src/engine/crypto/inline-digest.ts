import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { DigestAlgorithm, DigestSession, DigestWorker } from './digest-worker';

const fileReadBytes = 1024 * 1024;

/**
 * Hashes on the calling thread (`FERRY_DIGEST_WORKERS=0`): no thread, no hand-off, no copy into shared
 * batches; each `update` costs the event loop the hash itself (about 0.6 s of CPU per GiB for sha256).
 * For a process that streams one file on a machine with few cores, where a digest thread only adds a
 * runnable thread and a copy of every byte.
 */
export function createInlineDigestWorker(): DigestWorker {
  let hashedBytes = 0;

  function session(hash: Hash): DigestSession {
    let open = true;
    const update = (piece: Uint8Array) => {
      hashedBytes += piece.length;
      hash.update(piece);
    };
    return {
      update,
      updateShared(piece) {
        update(piece);
        return Promise.resolve();
      },
      flush: () => undefined,
      fork: () => session(hash.copy()),
      finish() {
        if (!open) return Promise.reject(new Error('Unknown digest session'));
        open = false;
        return Promise.resolve(hash.digest());
      },
      drop() {
        open = false;
      },
    };
  }

  const api: DigestWorker = {
    inline: true,
    start: (algorithm: DigestAlgorithm) => session(createHash(algorithm)),
    digest(algorithm, buffer) {
      hashedBytes += buffer.length;
      return Promise.resolve(createHash(algorithm).update(buffer).digest());
    },
    async digestFile(algorithm, path, signal, length = Infinity) {
      const hash = api.start(algorithm);
      await api.feedFile(hash, path, { start: 0, length }, signal);
      return hash.finish();
    },
    async feedFile(target, path, range, signal) {
      const buffer = Buffer.allocUnsafe(fileReadBytes);
      const handle = await open(path, 'r');
      let fed = 0;
      try {
        for (let left = range.length; left > 0;) {
          signal?.throwIfAborted();
          const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, left), range.start + fed);
          if (bytesRead === 0) break;
          left -= bytesRead;
          fed += bytesRead;
          target.update(buffer.subarray(0, bytesRead));
        }
      } finally {
        await handle.close();
      }
      return fed;
    },
    get hashedBytes() {
      return hashedBytes;
    },
    close: () => Promise.resolve(),
  };
  return api;
}
