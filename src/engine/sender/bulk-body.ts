import type { BandwidthLimiter } from './bandwidth-limiter';
import { closing, partHead, partTail } from './bulk-client';
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
  /** Which reads have settled: files already read go out together, the rest are not waited for. */
  const settled = new Uint8Array(reads.length);
  reads.forEach((read, index) => {
    const mark = () => void (settled[index] = 1);
    read.then(mark, mark);
  });
  // Parts of files already read are joined into one piece: each piece costs a write on the socket
  // and a pass through the streams, far more than copying a few KiB.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const joined = () => {
    const piece = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return piece;
  };
  for (const [index, source] of wanted.entries()) {
    // The next file is still being read: what is ready leaves now instead of waiting for it.
    if (pendingBytes > 0 && settled[index] === 0) yield* throttled(joined(), limiter, signal);
    let file: SmallFile;
    try {
      file = await reads[index]!;
    } catch (error) {
      source.onUnreadable(error);
      continue;
    }
    // Stopped while it was read: nothing of it has left.
    if (!source.wanted()) continue;
    const { job } = source;
    const key = idempotencyKeyOf(job, file.sha256);
    source.onRead(file.sha256, key);
    const head = partHead(boundary, { key, name: job.name, relativePath: job.relativePath, sha256: file.sha256 });
    pending.push(head, file.data, partTail);
    pendingBytes += head.length + file.data.length + partTail.length;
    if (pendingBytes >= joinedPieceBytes) yield* throttled(joined(), limiter, signal);
  }
  pending.push(closing(boundary));
  pendingBytes += pending[pending.length - 1]!.length;
  yield* throttled(joined(), limiter, signal);
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
