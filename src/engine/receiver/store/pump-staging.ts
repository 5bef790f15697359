import { copyInto, sharedBatches } from '../../crypto/shared-batches';

/** Staged bytes are gathered into shared batches of this size: one copy, then written and hashed in place. */
export const stagingBatchBytes = 1024 * 1024;

// Kept for reuse by every pump in the process: a request body stages into memory it does not allocate.
const batches = sharedBatches(stagingBatchBytes);

/** A run of staged bytes, handed to the file or to the hash; its memory is reused only after `done()`. */
export interface StagedPiece {
  readonly bytes: Buffer;
  done(): void;
}

export interface StagingSinks {
  /** Bytes to write, in order. */
  write(piece: StagedPiece): void;
  /** The same bytes to hash, in order, in longer runs (a batch at a time, or the body's tail). */
  hash(piece: StagedPiece): void;
}

interface Batch {
  memory: Buffer;
  /** Bytes copied in so far. */
  filled: number;
  /** Bytes handed to the file, and to the hash. */
  toWrite: number;
  toHash: number;
  /** Pieces of it not done yet. */
  holds: number;
  /** No more bytes go in: once its last piece is done, the memory is free for the next body. */
  retired: boolean;
}

/**
 * Where a hashed body waits between the socket and the file: chunks are copied into shared batches,
 * and the same memory is written to the file and read in place by the hashing thread, so the bytes
 * are copied once and each chunk's own memory can go at once. `batchesInUse` is the backpressure: it
 * counts memory the disk or the hash has not given back yet, so a hash that falls behind slows the
 * socket instead of piling up copies.
 */
export function createPumpStaging(sinks: StagingSinks) {
  let current: Batch | undefined;
  let inUse = 0;
  let onFreed: (() => void) | undefined;

  const giveBackIfDone = (batch: Batch) => {
    if (!batch.retired || batch.holds > 0) return;
    inUse--;
    batches.give(batch.memory);
    onFreed?.();
  };

  const pieceOf = (batch: Batch, from: number): StagedPiece => {
    batch.holds++;
    let open = true;
    return {
      bytes: batch.memory.subarray(from, batch.filled),
      done() {
        if (!open) return;
        open = false;
        batch.holds--;
        giveBackIfDone(batch);
      },
    };
  };

  const sealWrite = (batch: Batch) => {
    if (batch.toWrite === batch.filled) return;
    const piece = pieceOf(batch, batch.toWrite);
    batch.toWrite = batch.filled;
    sinks.write(piece);
  };

  const sealHash = (batch: Batch) => {
    if (batch.toHash === batch.filled) return;
    const piece = pieceOf(batch, batch.toHash);
    batch.toHash = batch.filled;
    sinks.hash(piece);
  };

  const retire = (batch: Batch) => {
    batch.retired = true;
    if (current === batch) current = undefined;
    giveBackIfDone(batch);
  };

  return {
    /** Batches taken and not given back yet (filling, or with pieces still being written or hashed). */
    get batchesInUse() {
      return inUse;
    },
    /** Called each time a batch is given back. */
    set onFreed(listener: (() => void) | undefined) {
      onFreed = listener;
    },
    /** Copies `chunk` in; every batch it fills goes to both sinks. */
    add(chunk: Uint8Array): void {
      for (let at = 0; at < chunk.length;) {
        if (!current) {
          inUse++;
          current = { memory: batches.take(), filled: 0, toWrite: 0, toHash: 0, holds: 0, retired: false };
        }
        const batch = current;
        const taken = Math.min(chunk.length - at, batch.memory.length - batch.filled);
        copyInto(batch.memory, chunk.subarray(at, at + taken), batch.filled);
        batch.filled += taken;
        at += taken;
        if (batch.filled === batch.memory.length) {
          sealWrite(batch);
          sealHash(batch);
          retire(batch);
        }
      }
    },
    /** The bytes not yet handed to the file go there now; later ones continue in the same batch. */
    sealWrite(): void {
      if (current) sealWrite(current);
    },
    /** Every byte copied in goes to both sinks (the body ended). */
    sealAll(): void {
      if (!current) return;
      sealWrite(current);
      sealHash(current);
    },
    /** No more bytes: the batch being filled goes back once its pieces are done. */
    close(): void {
      onFreed = undefined;
      if (current) retire(current);
    },
  };
}
