import { Worker } from 'node:worker_threads';

// Plain JS evaluated in the worker, so it runs the same under tsx, Electron and the built app.
const workerSource = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
parentPort.on('message', ({ id, shared, offset, length }) => {
  const hash = createHash('sha256');
  hash.update(new Uint8Array(shared, offset, length));
  parentPort.postMessage({ id, digest: hash.digest('base64') });
});
`;

export interface ChunkHasher {
  /** The tus `Upload-Checksum` value for a buffer made by `allocChunk`. */
  checksum(buffer: Buffer): Promise<string>;
  close(): Promise<void>;
}

/** A buffer over shared memory: the hashing thread reads it in place, with no copy. */
export function allocChunk(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(Math.max(1, size)), 0, size);
}

/**
 * Hashes chunks on a worker thread, so sha256 (about 1.5 s of CPU per GiB) never blocks the event
 * loop that feeds the sockets. Buffers not backed by shared memory are hashed after a copy.
 */
export function createChunkHasher(): ChunkHasher {
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve: (digest: string) => void; reject: (error: Error) => void }>();

  function start(): Worker {
    const created = new Worker(workerSource, { eval: true });
    created.unref();
    created.on('message', ({ id, digest }: { id: number; digest: string }) => {
      pending.get(id)?.resolve(digest);
      pending.delete(id);
    });
    created.on('error', (error) => {
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
      worker = undefined;
    });
    return created;
  }

  return {
    checksum(buffer) {
      worker ??= start();
      const shared = buffer.buffer instanceof SharedArrayBuffer ? buffer : Buffer.from(allocChunk(buffer.length).fill(buffer));
      const id = nextId++;
      return new Promise<string>((resolve, reject) => {
        pending.set(id, { resolve: (digest) => resolve(`sha256 ${digest}`), reject });
        worker!.postMessage({ id, shared: shared.buffer, offset: shared.byteOffset, length: shared.length });
      });
    },
    async close() {
      const running = worker;
      worker = undefined;
      if (running) await running.terminate();
    },
  };
}
