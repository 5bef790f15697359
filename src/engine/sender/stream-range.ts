import { Readable } from 'node:stream';
import type { DigestSession } from '../crypto/digest-worker';
import { allocChunk } from './chunk-hasher';
import { readChunk } from './chunk-reader';
import { minRequestBytes, sliceBytesFor } from './request-size';
import { TusRequestError } from './sender-errors';
import { withStallWatch } from './stall-watch';
import type { Session } from './transfer-session';

/**
 * Bytes read, hashed and written to the socket at a time by a range that streams alone, when no
 * limit asks for less. Each piece costs a read, a message to the digest thread and back, and a socket
 * write, each a wake-up of another thread: 4 MiB pieces in a ring of four measured 0.27 s less sender
 * CPU per GiB than 1 MiB in a ring of six, and the whole process about 12 % faster (14 alternating
 * pairs of 1 GiB).
 */
const alonePieceBytes = 4 * 1024 * 1024;
/**
 * The same while other ranges stream in this process (files at once, parallel parts), so memory stays
 * small, and until the link is known to be fast.
 */
const sharedPieceBytes = 1024 * 1024;
/** Read buffers per range: one being read, the rest on their way through the stream and the socket. */
const ringPieces = 4;
/** Ranges streaming in this process now: the first one alone gets the larger pieces. */
let streamingRanges = 0;
/**
 * The larger pieces only on a link known to move one within about a second: a piece is what the stall
 * watch sees move, so on a slow link it stays small enough to show progress well inside the timeout.
 */
const fastLink = ({ deps }: Session) => (deps.link.rate() ?? 0) >= alonePieceBytes;
/**
 * The source is checked (two stats) after reading this much, and after a request's last piece, so no
 * request ends before its bytes were checked. Per piece, the stats cost about 0.1 s of CPU per GiB.
 */
const checkEveryBytes = 16 * 1024 * 1024;
/**
 * A request carries at most about this long of the link, and at most this share of its range. Every
 * request ends with an fsync on a durable receiver, which the next one waits for: on a disk slower
 * than the link, a quarter of the range measured faster than an eighth (about 270 against 240 MB/s
 * for 1 GiB here), and a quarter still moves acknowledged progress a few times per file.
 */
const requestSeconds = 2;
const requestsPerRange = 4;

/** A read buffer, reused once the socket has taken what it last held and the digest has read it. */
interface Slot {
  buffer?: Buffer;
  hashed: Promise<void>;
  /** The request that last sent it, and the body bytes that request must have sent before reuse. */
  request: number;
  sentBy: number;
}

/**
 * Bytes for the next request to a one-pass receiver. Nothing is lost when one breaks (the receiver
 * keeps what arrived), so its length only sets how often progress is acknowledged: every quarter of the
 * range or every two seconds of the link, whichever comes first, in requests no shorter than
 * `chunkSize` unless the link is slower than that. `chunkSize` until the link is known.
 */
export function streamedRequestBytes({ settings, deps }: Session, rangeLength: number): number {
  const rate = Math.min(deps.limiter.rate ?? Infinity, deps.link.rate() ?? Infinity);
  if (rate === Infinity) return settings.chunkSize;
  const share = Math.max(settings.chunkSize, Math.ceil(rangeLength / requestsPerRange));
  return Math.min(share, Math.max(minRequestBytes, Math.floor(rate * requestSeconds)));
}

/**
 * Sends [offset, end) of the file to `url` for a receiver that checks the whole file in one pass
 * (`sha256-one-pass`): no per-chunk checksum, so one read pass feeds both the socket and `whole`, the
 * file's digest, piece by piece as it is read. Requests are long (see streamedRequestBytes) and their
 * bodies stream through a few shared buffers, so memory does not grow with them. Returns the offset
 * acknowledged. A request that breaks leaves `whole` ahead of the server: the caller drops it.
 */
export async function streamRange(
  session: Session,
  url: string,
  rangeStart: number,
  rangeEnd: number,
  startOffset: number,
  report: (acknowledged: number, sent: number) => void,
  whole?: DigestSession,
): Promise<number> {
  const { target, settings, deps, signal } = session;
  const slots: Slot[] = Array.from({ length: ringPieces }, () => ({
    hashed: Promise.resolve(),
    request: -1,
    sentBy: 0,
  }));
  const reads = { pending: Promise.resolve() as Promise<unknown>, turn: 0 };
  const alone = streamingRanges === 0;
  streamingRanges++;
  let offset = startOffset;
  try {
    for (let request = 0; rangeStart + offset < rangeEnd; request++) {
      await deps.gate();
      const base = offset;
      const length = Math.min(streamedRequestBytes(session, rangeEnd - rangeStart), rangeEnd - rangeStart - base);
      const pieceBytes = alone && fastLink(session) ? alonePieceBytes : sharedPieceBytes;
      const startedAt = performance.now();
      const progress = { sent: 0, wake: undefined as (() => void) | undefined };
      let body: PieceStream | undefined;
      let next: number;
      try {
        next = await withStallWatch(settings.stallTimeoutMs, signal, (patchSignal, touch) => {
          const piece = { session, slots, reads, request, progress, whole, pieceBytes, signal: patchSignal };
          body = pieceStream(piece, rangeStart + base, rangeStart + base + length);
          return deps.client.patch(target, url, {
            offset: base,
            body: body.stream,
            length,
            signal: patchSignal,
            onSent: (bytes) => {
              progress.sent = bytes;
              progress.wake?.();
              touch();
              report(base, base + bytes);
            },
          });
        });
      } catch (error) {
        // A read that failed (the source changed) ends the request: that is what happened, not the
        // upload error the client makes of it.
        throw (body as PieceStream | undefined)?.failure ?? error;
      } finally {
        // A read waiting for the socket must not wait for a request that is over.
        (body as PieceStream | undefined)?.end();
        deps.link.record(progress.sent, performance.now() - startedAt);
      }
      // The digest has read every byte of the body: the server must have taken all of them.
      const took = next > base && next <= base + length && (!whole || next === base + length);
      if (!took)
        throw new TusRequestError(
          'BAD_OFFSET',
          `The server acknowledged offset ${next} after ${base} for a body of ${length} bytes`,
          undefined,
          undefined,
        );
      offset = next;
      report(offset, offset);
    }
  } finally {
    streamingRanges--;
    // The buffers go when this returns: no read may still be filling one, nor the digest reading one.
    await reads.pending.catch(() => undefined);
    await Promise.all(slots.map((slot) => slot.hashed));
  }
  return offset;
}

interface PieceSource {
  session: Session;
  slots: Slot[];
  reads: { pending: Promise<unknown>; turn: number };
  request: number;
  progress: { sent: number; wake: (() => void) | undefined };
  whole: DigestSession | undefined;
  /** The most bytes per piece, when no limit asks for less. */
  pieceBytes: number;
  signal: AbortSignal;
}

interface PieceStream {
  stream: Readable;
  /** Why reading the file failed, if it did. */
  readonly failure: unknown;
  /** The request is over: stop reading, and release a read waiting for the socket. */
  end(): void;
}

/** The body of one request: [from, to) of the file, read piece by piece into the ring as the socket asks. */
function pieceStream(source: PieceSource, from: number, to: number): PieceStream {
  const { session, slots, reads, request, progress, whole, pieceBytes, signal } = source;
  const { handle, deps } = session;
  let position = from;
  let unchecked = 0;
  let ended = false;
  let failure: unknown;
  // got counts a body byte as sent once the socket has written it: from then on its memory is free.
  const sentAtLeast = (bytes: number) =>
    progress.sent >= bytes || ended
      ? undefined
      : new Promise<void>((resolve) => {
          progress.wake = () => {
            if (progress.sent < bytes && !ended) return;
            progress.wake = undefined;
            resolve();
          };
        });
  async function nextPiece(): Promise<Buffer | null> {
    if (position >= to || ended) return null;
    const slot = slots[reads.turn++ % slots.length]!;
    await slot.hashed;
    if (slot.request === request) await sentAtLeast(slot.sentBy);
    if (ended) return null;
    const limit = deps.limiter.rate;
    const size = Math.min(limit === null ? pieceBytes : sliceBytesFor(limit), to - position);
    if (!slot.buffer || slot.buffer.length < size)
      slot.buffer = allocChunk(Math.max(size, Math.min(pieceBytes, to - from)));
    unchecked += size;
    const check = unchecked >= checkEveryBytes || position + size >= to;
    const piece = await readChunk(handle, session.source, position, position + size, slot.buffer, check);
    if (check) unchecked = 0;
    if (ended) return null;
    slot.request = request;
    slot.sentBy = position + size - from;
    // Hashed in place on the digest thread while it waits for the limiter and the socket.
    slot.hashed = whole ? whole.updateShared(piece) : Promise.resolve();
    position += size;
    await deps.limiter.take(size, signal);
    return piece;
  }
  const stream = new Readable({
    highWaterMark: pieceBytes,
    read() {
      const reading = nextPiece().then(
        (piece) => {
          if (!stream.destroyed) stream.push(piece);
        },
        (error: unknown) => {
          failure = error;
          stream.destroy(error as Error);
        },
      );
      reads.pending = reading;
    },
  });
  return {
    stream,
    get failure() {
      return failure;
    },
    end() {
      ended = true;
      progress.wake?.();
      if (!stream.destroyed) stream.destroy();
    },
  };
}
