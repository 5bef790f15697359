/** Batches kept for reuse, for every session of a worker together; beyond them, a batch is garbage. */
const keptBatches = 16;

/**
 * Shared-memory batch buffers: a session takes one to fill, and gives it back once the hashing thread
 * has read it in place. Bytes streaming through reuse the same few buffers, so hashing them allocates
 * nothing the garbage collector must chase (a fresh batch per MiB cost the receiver a collection
 * every few dozen MiB).
 */
export function sharedBatches(size: number) {
  const free: Buffer[] = [];
  return {
    take: (): Buffer => free.pop() ?? Buffer.from(new SharedArrayBuffer(size)),
    give(batch: Buffer): void {
      if (free.length < keptBatches) free.push(batch);
    },
  };
}
