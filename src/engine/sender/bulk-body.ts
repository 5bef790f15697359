import type { BandwidthLimiter } from './bandwidth-limiter';
import { closingText, partHeadText, partTail } from './bulk-part-head';
import type { BulkReader, SmallFile } from './bulk-reader';
import type { QueuedJob } from './queued-job';
import { sliceBytesFor } from './request-size';
import { idempotencyKeyOf } from './transfer-session';

/** One job's file as a bulk request carries it. */
export interface BulkSource {
  job: QueuedJob;
  /** False once the job was paused or canceled: its part is left out if it has not started. */
  wanted(): boolean;
  /** Read and hashed; its part is about to go (the key is known from here on). */
  onRead(sha256: string, key: string): void;
  /** The file could not be read as queued (changed, gone): it is left out of the body. */
  onUnreadable(error: unknown): void;
}

/**
 * The multipart body of a bulk request, produced as it is sent: its files are read (and hashed, in
 * one pass, on the reader's thread) while the first ones leave, and every piece passes the limiter,
 * so a limit holds for bulk requests too.
 */
export async function* bulkBody(
  sources: readonly BulkSource[],
  boundary: string,
  reader: BulkReader,
  limiter: BandwidthLimiter,
  signal: AbortSignal,
): AsyncGenerator<Buffer> {
  // At most a batch's bytes (bulk-batch.ts) are held at once.
  const wanted = sources.filter((source) => source.wanted());
  const reads = reader.read(wanted.map((source) => source.job));
  // Parts of files already read are joined into one piece: each piece costs a write on the socket
  // and a pass through the streams, far more than copying a few KiB.
  const pending = createPieceBuilder();
  for (const [index, source] of wanted.entries()) {
    // The next file is still being read: what is ready leaves now instead of waiting for it.
    if (pending.bytes > 0 && !reads[index]!.ready) yield* throttled(pending.take(), limiter, signal);
    let file: SmallFile;
    try {
      file = await reads[index]!.file;
    } catch (error) {
      source.onUnreadable(error);
      continue;
    }
    // Stopped while it was read: nothing of it has left.
    if (!source.wanted()) continue;
    const { job } = source;
    const key = idempotencyKeyOf(job, file.sha256);
    source.onRead(file.sha256, key);
    pending.add(partHeadText(boundary, { key, name: job.name, relativePath: job.relativePath, sha256: file.sha256 }));
    pending.add(file.data);
    pending.add(partTail);
    if (pending.bytes >= joinedPieceBytes) yield* throttled(pending.take(), limiter, signal);
  }
  pending.add(closingText(boundary));
  yield* throttled(pending.take(), limiter, signal);
}

/**
 * Heads (ASCII text, see bulk-part-head.ts) and file bytes gathered, then written into one buffer: no
 * buffer per head and no list of them to join, fewer objects for the collector.
 */
function createPieceBuilder() {
  let items: (string | Buffer)[] = [];
  const builder = {
    bytes: 0,
    add(item: string | Buffer) {
      items.push(item);
      builder.bytes += item.length;
    },
    take(): Buffer {
      const piece = Buffer.allocUnsafe(builder.bytes);
      let at = 0;
      for (const item of items) at += typeof item === 'string' ? piece.write(item, at, 'latin1') : item.copy(piece, at);
      items = [];
      builder.bytes = 0;
      return piece;
    },
  };
  return builder;
}

/** Parts joined into one piece up to about this size (a bulk request carries up to 8 MiB). */
const joinedPieceBytes = 256 * 1024;

/** Unlimited, the piece as it is; under a limit, in slices small enough to keep progress steady. */
async function* throttled(piece: Buffer, limiter: BandwidthLimiter, signal: AbortSignal): AsyncGenerator<Buffer> {
  const sliceBytes = limiter.rate === null ? piece.length : sliceBytesFor(limiter.rate);
  for (let at = 0; at < piece.length; at += sliceBytes) {
    const slice = piece.subarray(at, Math.min(piece.length, at + sliceBytes));
    await limiter.take(slice.length, signal);
    yield slice;
  }
}
