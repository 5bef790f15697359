import type { DigestSession, DigestWorker } from '../../crypto/digest-worker';
import type { UploadInfo } from './types';

/**
 * Whole-upload sha256 digests kept while bytes arrive in order, so checking a sender's declared
 * sha256 at completion needs no second read of the file (for a big file on a slow disk that read is
 * the longest part of "finalizing"). Anything out of order (a restart, a rejected chunk) simply stops
 * tracking that upload, and the check falls back to reading the file.
 */
export interface RunningDigests {
  /** The session to feed with an append starting at `start`, or undefined when not tracked. */
  begin(info: UploadInfo, start: number): DigestSession | undefined;
  /** After an append: the offset every fed byte reached, or undefined if they did not all land. */
  settle(id: string, reached: number | undefined): void;
  /** The hex sha256 of all `length` bytes, if they were tracked from the first; forgets the upload. */
  take(id: string, length: number): Promise<string | undefined>;
  forget(id: string): void;
}

// Abandoned uploads must not pile up: past this many, new ones go untracked, and an upload with no
// append for this long is dropped (its check falls back to reading the file).
const maxTracked = 64;
const idleMs = 15 * 60_000;

/**
 * Tracked: uploads that declared a sha256 up front, and lone partial uploads named like a file (how
 * Ferry's sender sends a chunked file it seals with a one-part final upload carrying the sha256).
 */
function worthTracking(info: UploadInfo): boolean {
  if (info.metadata.sha256 !== undefined) return info.concat === undefined;
  return info.concat?.kind === 'partial' && info.metadata.filename !== undefined;
}

export function createRunningDigests(digests: DigestWorker): RunningDigests {
  const running = new Map<string, { session: DigestSession; position: number; touchedAt: number }>();
  const forget = (id: string) => {
    running.get(id)?.session.drop();
    running.delete(id);
  };
  return {
    begin(info, start) {
      const entry = running.get(info.id);
      if (entry && entry.position === start) {
        entry.touchedAt = Date.now();
        return entry.session;
      }
      forget(info.id);
      if (start !== 0 || !worthTracking(info)) return undefined;
      const now = Date.now();
      for (const [id, other] of running) if (now - other.touchedAt > idleMs) forget(id);
      if (running.size >= maxTracked) return undefined;
      const session = digests.start('sha256');
      running.set(info.id, { session, position: 0, touchedAt: now });
      return session;
    },
    settle(id, reached) {
      const entry = running.get(id);
      if (!entry) return;
      if (reached === undefined) return forget(id);
      entry.position = reached;
      // Between requests nothing waits in this thread's memory: the tail goes to the worker now.
      entry.session.flush();
    },
    async take(id, length) {
      const entry = running.get(id);
      if (!entry) return undefined;
      running.delete(id);
      if (entry.position !== length) {
        entry.session.drop();
        return undefined;
      }
      return (await entry.session.finish()).toString('hex');
    },
    forget,
  };
}
