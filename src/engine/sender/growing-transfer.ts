import type { Stats } from 'node:fs';
import type { DigestSession } from '../crypto/digest-worker';
import { metadataOf, sealParts, sendRange, type Session } from './file-transfer';
import { SourceChangedError, TusRequestError } from './sender-errors';
import { sleep } from './settle';
import { withStallWatch } from './stall-watch';

// How often a caught-up transfer looks at the source again.
const pollMs = 250;

const moved = (now: Stats, before: Stats) => now.size !== before.size || now.mtimeMs !== before.mtimeMs;

/**
 * A source still being written (a recording, a log), sent as it grows under creation-defer-length,
 * its length declared once size and mtime have stood still for `growingQuietMs`. It expects the file
 * to only grow: sent bytes are not read again, and a file that shrinks, or changes without growing,
 * starts over as a new upload.
 * Where Ferry's receiver checks a whole-file sha256, the upload is a partial one, sealed at the end
 * by a final upload carrying the digest, as for any chunked file.
 */
export async function sendGrowing(session: Session): Promise<void> {
  const { job, target, caps, deps, signal } = session;
  if (!caps.extensions.has('creation-defer-length')) {
    throw new TusRequestError('DEFER_LENGTH_UNSUPPORTED', 'The server cannot take an upload whose length is not known yet (creation-defer-length)', undefined, undefined);
  }
  const sealed = caps.extensions.has('concatenation') && caps.ferryFeatures.has('end-to-end-sha256');
  if (job.parts) {
    // Sealed already: the final upload exists, so the file is complete on the server.
    const head = await deps.client.head(target, job.uploadUrl!);
    deps.onSize(head.offset, true);
    return deps.onAcknowledged(head.offset);
  }
  let url = job.uploadUrl;
  let acknowledged = 0;
  let declared: number | undefined;
  if (url) {
    const head = await deps.client.head(target, url);
    acknowledged = head.offset;
    declared = head.length;
  } else {
    url = (await deps.client.create(target, { length: null, metadata: metadataOf(job), ...(sealed ? { concat: 'partial' as const } : {}) })).url;
    await deps.save({ uploadUrl: url }, true);
  }
  deps.onAcknowledged(acknowledged);
  // From the first byte, the whole file's sha256 comes along with the acknowledged chunks.
  const whole = sealed && acknowledged === 0 ? deps.hasher.session() : undefined;
  try {
    if (declared === undefined) declared = await followUntilQuiet(session, url, acknowledged, whole);
    deps.onSize(declared, true);
    if (!sealed) return;
    // The declared bytes only: the file may have grown again since.
    const sha256 = whole ? (await whole.finish()).toString('hex') : await deps.hasher.hashFile(job.path, signal, declared);
    deps.onPhase('finalizing');
    await sealParts(session, [{ start: 0, end: declared, url, offset: declared }], declared, sha256);
  } catch (error) {
    whole?.drop();
    throw error;
  }
}

/** Sends bytes as they appear; once the source is quiet, declares the length and returns it. */
async function followUntilQuiet(session: Session, url: string, from: number, whole: DigestSession | undefined): Promise<number> {
  const { job, target, handle, settings, deps, signal } = session;
  let acknowledged = from;
  let last = await handle.stat();
  let quietSince = Date.now();
  for (;;) {
    signal.throwIfAborted();
    const now = await handle.stat();
    // Shrunk, or written in place without growing (a recorder rewriting its header when it closes):
    // the bytes already sent may no longer be the file's, so it starts over as a new upload.
    if (now.size < acknowledged || (now.size === last.size && now.mtimeMs !== last.mtimeMs)) throw new SourceChangedError(job.path);
    if (moved(now, last)) quietSince = Date.now();
    last = now;
    if (now.size > acknowledged) {
      deps.onSize(now.size, false);
      // This round reads against the file as it is now; a write during a read ends the round early.
      const round = { ...session, job: { ...job, size: now.size, mtimeMs: now.mtimeMs } };
      try {
        acknowledged = await sendRange(round, url, 0, now.size, acknowledged, (ack, sent) => {
          acknowledged = ack;
          deps.onAcknowledged(ack);
          deps.onSent(sent);
        }, whole);
      } catch (error) {
        if (!(error instanceof SourceChangedError)) throw error;
        // Replaced or cut short while reading: look again in a moment rather than spin.
        await sleep(pollMs, signal);
      }
      continue;
    }
    if (Date.now() - quietSince >= settings.growingQuietMs) break;
    await sleep(pollMs, signal);
  }
  // Quiet: the bytes on the server are the whole file. An empty PATCH declares the length.
  await withStallWatch(settings.stallTimeoutMs, signal, (patchSignal) =>
    deps.client.patch(target, url, { offset: acknowledged, body: Buffer.alloc(0), length: 0, uploadLength: acknowledged, signal: patchSignal }),
  );
  return acknowledged;
}
