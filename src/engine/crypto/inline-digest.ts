import { createHash, type Hash } from 'node:crypto';
import type { DigestAlgorithm, DigestSession, DigestWorker } from './digest-worker';
import { digestFile, feedFile } from './file-digest';

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
    digestFile: (algorithm, path, signal, length) => digestFile(api.start(algorithm), path, signal, length),
    feedFile,
    get hashedBytes() {
      return hashedBytes;
    },
    close: () => Promise.resolve(),
  };
  return api;
}
