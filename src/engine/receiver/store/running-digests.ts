import type { DigestSession, DigestWorker } from '../../crypto/digest-worker';
import type { UploadInfo } from './types';

/**
 * Whole-upload sha256 digests kept while bytes arrive in order, so checking a sender's declared
 * sha256 at completion needs no second read of the file (for a big file on a slow disk that read is
 * the longest part of "finalizing").
 *
 * Each append starts from a checkpoint (a copy of the digest state), so a chunk that is rolled back
 * (checksum mismatch, a sender that stalls mid-chunk) only rewinds the digest. After a restart, the
 * bytes already stored are hashed from disk in the background while new ones arrive; the digest goes
 * live again once it has caught up. Anything it cannot account for (a failed write or flush) drops the
 * upload, and the check falls back to reading the file.
 */
export interface RunningDigests {
  /** The session to feed with an append starting at `start`, or undefined when this append is not tracked. */
  begin(info: UploadInfo, start: number): DigestSession | undefined;
  /**
   * After an append: the offset the upload's bytes now end at. For a tracked append, that is its start
   * (rolled back: the checkpoint comes back) or where every fed byte reached; undefined when the bytes
   * on disk are not known (a failed write or flush).
   */
  settle(id: string, reached: number | undefined): void;
  /** The hex sha256 of all `length` bytes, waiting for a catch-up still reading; forgets the upload. */
  take(id: string, length: number): Promise<string | undefined>;
  /** Hashes an upload's first `upTo` stored bytes in the background (after a restart). */
  rebuild(info: UploadInfo, upTo: number): void;
  forget(id: string): void;
}

// Abandoned uploads must not pile up: past this many, new ones go untracked, and an upload with no
// append for this long is dropped (its check falls back to reading the file).
const maxTracked = 64;
const idleMs = 15 * 60_000;

interface Entry {
  session: DigestSession;
  /** Bytes hashed into the session so far. */
  position: number;
  touchedAt: number;
  /** While a tracked append runs: the state at its start. */
  checkpoint?: { session: DigestSession; start: number };
  /** Bytes settled on disk, which a catch-up may read. */
  safeEnd: number;
  catchingUp?: Promise<void>;
  stop: AbortController;
}

/**
 * Tracked: uploads that declared a sha256 up front, and lone partial uploads named like a file (how
 * Ferry's sender sends a chunked file it seals with a one-part final upload carrying the sha256).
 */
function worthTracking(info: UploadInfo): boolean {
  if (info.metadata.sha256 !== undefined) return info.concat === undefined;
  return info.concat?.kind === 'partial' && info.metadata.filename !== undefined;
}

export function createRunningDigests(digests: DigestWorker, dataPath: (id: string) => string): RunningDigests {
  const running = new Map<string, Entry>();
  // One catch-up reads at a time: after a restart they must not crowd out the disk for new bytes.
  let reading: Promise<void> = Promise.resolve();

  const forget = (id: string) => {
    const entry = running.get(id);
    if (!entry) return;
    running.delete(id);
    entry.stop.abort();
    entry.checkpoint?.session.drop();
    entry.session.drop();
  };

  function catchUp(id: string, entry: Entry): void {
    if (entry.catchingUp || entry.position >= entry.safeEnd) return;
    const work = reading.then(async () => {
      while (running.get(id) === entry && entry.position < entry.safeEnd) {
        const length = entry.safeEnd - entry.position;
        const fed = await digests.feedFile(
          entry.session,
          dataPath(id),
          { start: entry.position, length },
          entry.stop.signal,
        );
        if (fed !== length) throw new Error('The data file is shorter than its settled bytes');
        entry.position += fed;
      }
    });
    entry.catchingUp = work
      .catch(() => {
        if (running.get(id) === entry) forget(id);
      })
      .finally(() => (entry.catchingUp = undefined));
    reading = entry.catchingUp;
  }

  function track(info: UploadInfo, safeEnd: number): Entry | undefined {
    if (!worthTracking(info)) return undefined;
    const now = Date.now();
    for (const [id, other] of running) if (now - other.touchedAt > idleMs) forget(id);
    if (running.size >= maxTracked) return undefined;
    const entry: Entry = {
      session: digests.start('sha256'),
      position: 0,
      touchedAt: now,
      safeEnd,
      stop: new AbortController(),
    };
    running.set(info.id, entry);
    return entry;
  }

  return {
    begin(info, start) {
      let entry = running.get(info.id);
      if (entry && (entry.checkpoint || entry.position > start)) {
        // Two appends at once, or bytes hashed that are no longer there: nothing to trust.
        forget(info.id);
        entry = undefined;
      }
      entry ??= track(info, start);
      if (!entry) return undefined;
      entry.touchedAt = Date.now();
      entry.safeEnd = start;
      if (!entry.catchingUp && entry.position === start) {
        entry.checkpoint = { session: entry.session.fork(), start };
        return entry.session;
      }
      // Behind (a restart, or a catch-up still reading): this append goes by untracked, and the bytes
      // before it are hashed from disk in the background, off any request.
      catchUp(info.id, entry);
      return undefined;
    },

    settle(id, reached) {
      const entry = running.get(id);
      if (!entry) return;
      const checkpoint = entry.checkpoint;
      entry.checkpoint = undefined;
      if (reached === undefined) return forget(id);
      if (checkpoint && reached === checkpoint.start) {
        // The chunk was rolled back: so is the digest, to the state from before it.
        entry.session.drop();
        entry.session = checkpoint.session;
      } else checkpoint?.session.drop();
      if (checkpoint) entry.position = reached;
      else if (entry.position > reached) return forget(id);
      entry.safeEnd = reached;
      // Between requests nothing waits in this thread's memory: the tail goes to the worker now.
      entry.session.flush();
      catchUp(id, entry);
    },

    async take(id, length) {
      const entry = running.get(id);
      if (!entry) return undefined;
      while (entry.catchingUp) await entry.catchingUp;
      if (running.get(id) !== entry) return undefined;
      running.delete(id);
      if (entry.position !== length || entry.checkpoint) {
        entry.checkpoint?.session.drop();
        entry.session.drop();
        return undefined;
      }
      return (await entry.session.finish()).toString('hex');
    },

    rebuild(info, upTo) {
      if (running.has(info.id)) return;
      const entry = track(info, upTo);
      if (entry) catchUp(info.id, entry);
    },

    forget,
  };
}
