import { availableParallelism } from 'node:os';
import { createDigestWorker, type DigestSession, type DigestWorker } from './digest-worker';
import { createInlineDigestWorker } from './inline-digest';

/** Sets the number of digest threads (a whole number; 0 hashes on the event loop) over the default from the cores. */
export const digestWorkersEnv = 'FERRY_DIGEST_WORKERS';

/**
 * Four at most. Streaming costs the event loop about three times as much CPU per byte as hashing
 * costs its digest thread, so for streams one or two threads keep up with a whole loop; more help
 * whole-file passes (a seal, recovery after a restart, the sender's pass over a resumed file or
 * parallel parts), which read through libuv's four I/O threads. Each started thread adds about
 * 12 MiB of RSS.
 */
const maxDigestThreads = 4;

/**
 * None on one core (hashed on the event loop), one thread on two cores (the event loop needs the other core), else one per core but the
 * event loop's, up to four. `FERRY_DIGEST_WORKERS` overrides it; a value that is not a whole number
 * ≥ 0 is ignored. 0 hashes on the event loop: less CPU per byte (no hand-off, and no copy into shared
 * memory when receiving), but no second core for the hash. With both ends of a 1 GiB transfer on one
 * 2-core machine, inline measured about 0.1-0.2 s less CPU per GiB for the sender and the same for the
 * receiver (its user time fell 0.25 s, its kernel time rose as much: the body is then written from
 * the parser's chunks, whose memory the allocator hands back to the kernel and faults in again).
 * Across a network each end has its cores to itself, and there the thread is what lets the loop run
 * at the line's pace.
 */
export function digestPoolSize(cores: number = availableParallelism(), env: NodeJS.ProcessEnv = process.env): number {
  const override = env[digestWorkersEnv]?.trim();
  const forced = override ? Number(override) : NaN;
  if (Number.isSafeInteger(forced) && forced >= 0) return forced;
  if (cores <= 1) return 0; // a thread would only take turns with the event loop on the one core
  return cores <= 2 ? 1 : Math.min(maxDigestThreads, cores - 1);
}

export interface DigestPoolOptions {
  /** Digest threads (0: hash on the caller's thread); `digestPoolSize()` by default. */
  size?: number;
}

interface Member {
  worker: DigestWorker;
  /** Streams on this thread: sessions (a session and its forks count once) and one-shot digests. */
  streams: number;
  /** Bytes handed over in shared memory and not hashed yet. */
  pendingBytes: number;
}

/** A session and its forks: one stream of bytes, on one thread, until the last of them ends. */
interface Lineage {
  member: Member;
  open: number;
}

/**
 * A `DigestWorker` over several digest threads. A session stays on the thread that holds its state
 * (its forks too); a new session or one-shot digest goes to the thread with the fewest streams, then
 * the fewest bytes waiting, then the first: an idle pool uses one thread, and a thread starts only
 * when work overlaps. With one thread it is `createDigestWorker()` itself; with none, the inline one.
 */
export function createDigestPool(options: DigestPoolOptions = {}): DigestWorker {
  const size = options.size ?? digestPoolSize();
  if (!Number.isSafeInteger(size) || size < 0)
    throw new RangeError(`A digest pool needs 0 threads or more, not ${size}`);
  if (size === 0) return createInlineDigestWorker();
  if (size === 1) return createDigestWorker();

  const members: Member[] = Array.from({ length: size }, () => ({
    worker: createDigestWorker(),
    streams: 0,
    pendingBytes: 0,
  }));

  function leastLoaded(): Member {
    let best = members[0]!;
    for (const member of members)
      if (member.streams < best.streams || (member.streams === best.streams && member.pendingBytes < best.pendingBytes))
        best = member;
    return best;
  }

  async function whileBusy<T>(member: Member, bytes: number, work: () => Promise<T>): Promise<T> {
    member.streams++;
    member.pendingBytes += bytes;
    try {
      return await work();
    } finally {
      member.streams--;
      member.pendingBytes -= bytes;
    }
  }

  function tracked(inner: DigestSession, lineage: Lineage): DigestSession {
    const { member } = lineage;
    if (lineage.open++ === 0) member.streams++;
    let open = true;
    // finish() and drop() may both be called; the stream ends once.
    const end = () => {
      if (!open) return;
      open = false;
      if (--lineage.open === 0) member.streams--;
    };
    return {
      update: (piece) => inner.update(piece),
      updateShared(piece) {
        member.pendingBytes += piece.length;
        return inner.updateShared(piece).finally(() => {
          member.pendingBytes -= piece.length;
        });
      },
      flush: () => inner.flush(),
      // The copy is made from state on this thread, so it lives there too.
      fork: () => tracked(inner.fork(), lineage),
      finish: () => inner.finish().finally(end),
      drop() {
        end();
        inner.drop();
      },
    };
  }

  const pool: DigestWorker = {
    start(algorithm) {
      const member = leastLoaded();
      return tracked(member.worker.start(algorithm), { member, open: 0 });
    },
    digest(algorithm, buffer) {
      const member = leastLoaded();
      return whileBusy(member, buffer.length, () => member.worker.digest(algorithm, buffer));
    },
    digestFile(algorithm, path, signal, length) {
      const member = leastLoaded();
      return whileBusy(member, 0, () => member.worker.digestFile(algorithm, path, signal, length));
    },
    // Any worker's reading loop will do: it feeds the pool's session, which hands each piece to the
    // session's own thread and counts it there as waiting.
    feedFile: (session, path, range, signal) => members[0]!.worker.feedFile(session, path, range, signal),
    get hashedBytes() {
      return members.reduce((sum, member) => sum + member.worker.hashedBytes, 0);
    },
    async close() {
      await Promise.all(members.map((member) => member.worker.close()));
    },
  };
  return pool;
}
