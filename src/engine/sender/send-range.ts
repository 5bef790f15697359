import type { DigestSession } from '../crypto/digest-worker';
import { allocChunk } from './chunk-hasher';
import { readChunk } from './chunk-reader';
import { TusRequestError } from './sender-errors';
import { withStallWatch } from './stall-watch';
import { streamRange } from './stream-range';
import { bodyOf, checksumsWanted, nextRequestBytes, oneHashPass, type Session } from './transfer-session';

/** How the upload a range fills is checked, and the file digest it feeds. */
export interface RangeChecks {
  /** The whole file's sha256, fed with the range's bytes in order. */
  whole?: DigestSession;
  /** The receiver checks the whole upload against its sha256: declared at creation, or by the seal. */
  checkedWhole: boolean;
}

interface PreparedChunk {
  slot: number;
  from: number;
  body: Buffer;
  checksum: string | undefined;
}

/**
 * Sends [offset, end) of the file to `url`; returns the acknowledged offset. Where the receiver checks
 * the whole upload in one pass, the range streams in long requests with one read and one hash per
 * byte (stream-range.ts); otherwise it goes in chunks, each with its own checksum where the server
 * takes one. A growing file always goes in chunks: its digest may only see what was acknowledged.
 */
export function sendRange(
  session: Session,
  url: string,
  rangeStart: number,
  rangeEnd: number,
  startOffset: number,
  report: (acknowledged: number, sent: number) => void,
  checks: RangeChecks,
): Promise<number> {
  if (checks.checkedWhole && oneHashPass(session) && !session.source.growing)
    return streamRange(session, url, rangeStart, rangeEnd, startOffset, report, checks.whole);
  return sendChunks(session, url, rangeStart, rangeEnd, startOffset, report, checks);
}

/**
 * Chunk by chunk. The next chunk is read and hashed while the current one is on the wire, in two
 * reused buffers, so the network never waits for the disk or the hash (without `prefetch`: one buffer,
 * read when needed). Each chunk is sized for the link as it is measured now (see request-size.ts).
 * The file digest is fed with each chunk once it is acknowledged.
 */
async function sendChunks(
  session: Session,
  url: string,
  rangeStart: number,
  rangeEnd: number,
  startOffset: number,
  report: (acknowledged: number, sent: number) => void,
  { whole, checkedWhole }: RangeChecks,
): Promise<number> {
  const { source, target, handle, settings, deps, signal, prefetch } = session;
  const { buffers, hashing } = session.slots;
  const useChecksum = checksumsWanted(session, checkedWhole);
  let turn = 0;
  const prepare = async (from: number): Promise<PreparedChunk> => {
    const slot = prefetch ? turn++ % 2 : 0;
    await hashing[slot];
    const chunkBytes = Math.min(nextRequestBytes(session), rangeEnd - rangeStart);
    const end = Math.min(rangeEnd, from + chunkBytes);
    // Allocated on first use (a file finished by its creation request needs none), and again only
    // while chunks outgrow it: a growing file's range, or a link measured faster.
    let buffer = buffers[slot];
    if (!buffer || buffer.length < end - from) buffer = buffers[slot] = allocChunk(chunkBytes);
    const body = await readChunk(handle, source, from, end, buffer);
    return { slot, from, body, checksum: useChecksum ? await deps.hasher.checksum(body) : undefined };
  };
  let offset = startOffset;
  let upcoming: Promise<PreparedChunk> | undefined;
  // The buffers outlive this call (a growing file's next round): no read may still be filling one.
  try {
    while (rangeStart + offset < rangeEnd) {
      await deps.gate();
      // The prefetched chunk is only right if the server took all of the previous one.
      let current = upcoming ? await upcoming : undefined;
      if (!current || current.from !== rangeStart + offset) current = await prepare(rangeStart + offset);
      const following = current.from + current.body.length;
      upcoming = prefetch && following < rangeEnd ? prepare(following) : undefined;
      upcoming?.catch(() => undefined);
      const base = offset;
      const { body, checksum } = current;
      const startedAt = performance.now();
      let sent = 0;
      let next: number;
      try {
        next = await withStallWatch(settings.stallTimeoutMs, signal, (patchSignal, touch) =>
          deps.client.patch(target, url, {
            offset: base,
            body: bodyOf(body, deps.limiter, patchSignal),
            length: body.length,
            checksum,
            signal: patchSignal,
            onSent: (bytes) => {
              sent = bytes;
              touch();
              report(base, base + bytes);
            },
          }),
        );
      } finally {
        // Broken off or not, the bytes that left say how fast this link is.
        deps.link.record(sent, performance.now() - startedAt);
      }
      if (!(next > base && next <= base + body.length))
        throw new TusRequestError(
          'BAD_OFFSET',
          `The server acknowledged offset ${next} after ${base}`,
          undefined,
          undefined,
        );
      if (whole) hashing[current.slot] = whole.updateShared(body.subarray(0, next - base));
      offset = next;
      report(offset, offset);
    }
  } finally {
    await upcoming?.catch(() => undefined);
  }
  return offset;
}
