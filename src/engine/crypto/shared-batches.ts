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

/**
 * Copies `source` into `target` at `offset` (it must fit). Not `target.set(source, offset)`: into
 * shared memory V8 copies word by word with relaxed atomics, about 3× slower than `fill`, whose
 * native copy is a plain memcpy; a receiver stages every byte it hashes this way.
 */
export function copyInto(target: Buffer, source: Uint8Array, offset: number): void {
  if (source.length === 0) return;
  target.fill(source, offset, offset + source.length);
}
