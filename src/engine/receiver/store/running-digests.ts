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

// Abandoned uploads must not pile up sessions on the worker: past this many, new ones go untracked.
const maxTracked = 256;

/**
 * Tracked: uploads that declared a sha256 up front, and lone partial uploads named like a file (how
 * Ferry's sender sends a chunked file it seals with a one-part final upload carrying the sha256).
 */
function worthTracking(info: UploadInfo): boolean {
  if (info.metadata.sha256 !== undefined) return info.concat === undefined;
  return info.concat?.kind === 'partial' && info.metadata.filename !== undefined;
}

export function createRunningDigests(digests: DigestWorker): RunningDigests {
  const running = new Map<string, { session: DigestSession; position: number }>();
  const forget = (id: string) => {
    running.get(id)?.session.drop();
    running.delete(id);
  };
  return {
    begin(info, start) {
      const entry = running.get(info.id);
      if (entry && entry.position === start) return entry.session;
      forget(info.id);
      if (start !== 0 || running.size >= maxTracked || !worthTracking(info)) return undefined;
      const session = digests.start('sha256');
      running.set(info.id, { session, position: 0 });
      return session;
    },
    settle(id, reached) {
      const entry = running.get(id);
      if (!entry) return;
      if (reached === undefined) forget(id);
      else entry.position = reached;
    },
    async take(id, length) {
      const entry = running.get(id);
      if (!entry || entry.position !== length) return undefined;
      running.delete(id);
      return (await entry.session.finish()).toString('hex');
    },
    forget,
  };
}
