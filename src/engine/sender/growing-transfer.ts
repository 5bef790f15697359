import type { Stats } from 'node:fs';
import type { DigestSession } from '../crypto/digest-worker';
import { allocChunk } from './chunk-hasher';
import { readChunk } from './chunk-reader';
import { sealParts } from './parts-transfer';
import { SourceChangedError, TusRequestError } from './sender-errors';
import { sendRange } from './send-range';
import { sleep } from './settle';
import { withStallWatch } from './stall-watch';
import { forRound, metadataOf, sealsWithSha256, type Session } from './transfer-session';

// How often a caught-up transfer looks at the source again.
const pollMs = 250;
/** Read size when a resumed upload's sent prefix is hashed from disk. */
const rehashBytes = 4 * 1024 * 1024;

const moved = (now: Stats, before: Stats) => now.size !== before.size || now.mtimeMs !== before.mtimeMs;

/**
 * A source still being written (a recording, a log), sent as it grows under creation-defer-length,
 * its length declared once size and mtime have stood still for `growingQuietMs`. Sent bytes are not
 * sent again, so before the length is declared the sent prefix is hashed from disk and compared with
 * the digest of what was sent: a recorder that rewrote its header as it closed (growing at the same
 * time, so it looked like growth) makes the file start over as a new upload, never land stale.
 * Where Ferry's receiver checks a whole-file sha256, the upload is a partial one, sealed at the end
 * by a final upload carrying the digest, as for any chunked file.
 */
export async function sendGrowing(session: Session): Promise<void> {
  const { job, target, caps, deps, signal } = session;
  if (!caps.extensions.has('creation-defer-length')) {
    throw new TusRequestError(
      'DEFER_LENGTH_UNSUPPORTED',
      'The server cannot take an upload whose length is not known yet (creation-defer-length)',
      undefined,
      undefined,
    );
  }
  const sealed = sealsWithSha256(session);
  if (job.parts) {
    // Sealed already: the final upload exists, so the file is complete on the server.
    const head = await deps.client.head(target, job.uploadUrl!);
    await deps.save({ sha256Confirmed: head.sha256 !== undefined && head.sha256 === job.sha256 });
    deps.onSize(head.offset, true);
    return deps.onResumedAt(head.offset);
  }
  let url = job.uploadUrl;
  let acknowledged = 0;
  let declared: number | undefined;
  if (url) {
    const head = await deps.client.head(target, url);
    acknowledged = head.offset;
    declared = head.length;
  } else {
    url = (
      await deps.client.create(target, {
        length: null,
        metadata: metadataOf(job),
        ...(sealed ? { concat: 'partial' as const } : {}),
      })
    ).url;
    await deps.save({ uploadUrl: url }, true);
  }
  deps.onResumedAt(acknowledged);
  if (declared !== undefined) {
    // Declared by a run that stopped before sealing. The digest comes from the disk, so the receiver's
    // check of the seal compares what it holds with the file as it is.
    deps.onSize(declared, true);
    if (sealed) await seal(session, url, declared, await deps.hasher.hashFile(job.path, signal, declared));
    return;
  }
  // The digest of what the target holds: fed with each acknowledged chunk. Bytes an earlier run sent
  // are taken as they are on disk now (on Ferry's receiver the seal checks them end to end).
  const sent = acknowledged === 0 ? deps.hasher.session() : await digestOfDisk(session, acknowledged);
  try {
    const { length, onDisk } = await followUntilQuiet(session, url, acknowledged, sent);
    const sha256 = (await sent.finish()).toString('hex');
    if (sha256 !== onDisk) throw new SourceChangedError(job.path);
    await withStallWatch(session.settings.stallTimeoutMs, signal, (patchSignal) =>
      // An empty PATCH declares the length: from here the bytes on the target are the whole file.
      deps.client.patch(target, url, {
        offset: length,
        body: Buffer.alloc(0),
        length: 0,
        uploadLength: length,
        signal: patchSignal,
      }),
    );
    deps.onSize(length, true);
    if (sealed) await seal(session, url, length, sha256);
    else await deps.save({ sha256, sha256Confirmed: false });
  } catch (error) {
    sent.drop();
    throw error;
  }
}

function seal(session: Session, url: string, length: number, sha256: string): Promise<void> {
  session.deps.onPhase('finalizing');
  return sealParts(session, [{ start: 0, end: length, url, offset: length }], length, sha256);
}

/** Sends bytes as they appear; once the source is quiet, returns its length and the sha256 of that much on disk. */
async function followUntilQuiet(
  session: Session,
  url: string,
  from: number,
  sent: DigestSession,
): Promise<{ length: number; onDisk: string }> {
  const { job, handle, settings, deps, signal } = session;
  let acknowledged = from;
  let last = await handle.stat();
  let quietSince = Date.now();
  for (;;) {
    signal.throwIfAborted();
    const now = await handle.stat();
    // Shrunk, or written in place without growing (a recorder rewriting its header when it closes):
    // the bytes already sent may no longer be the file's, so it starts over as a new upload.
    if (now.size < acknowledged || (now.size === last.size && now.mtimeMs !== last.mtimeMs))
      throw new SourceChangedError(job.path);
    if (moved(now, last)) quietSince = Date.now();
    last = now;
    if (now.size > acknowledged) {
      deps.onSize(now.size, false);
      try {
        // This round reads against the file as it is now; a write during a read ends the round early.
        acknowledged = await sendRange(
          forRound(session, now),
          url,
          0,
          now.size,
          acknowledged,
          (ack, bytes) => {
            acknowledged = ack;
            deps.onAcknowledged(ack);
            deps.onSent(bytes);
          },
          { whole: sent, checkedWhole: sealsWithSha256(session) },
        );
      } catch (error) {
        if (!(error instanceof SourceChangedError)) throw error;
        // Replaced or cut short while reading: look again in a moment rather than spin.
        await sleep(pollMs, signal);
      }
      continue;
    }
    if (Date.now() - quietSince >= settings.growingQuietMs) {
      const onDisk = await digestIfStill(session, acknowledged, last);
      if (onDisk !== undefined) return { length: acknowledged, onDisk };
      // Written to while it was being read: not quiet after all; follow it on.
      quietSince = Date.now();
      continue;
    }
    await sleep(pollMs, signal);
  }
}

/** sha256 of [0, length) on disk, or undefined when the file moved while it was read. */
async function digestIfStill(session: Session, length: number, quiet: Stats): Promise<string | undefined> {
  const { job, handle, deps, signal } = session;
  const onDisk = await deps.hasher.hashFile(job.path, signal, length);
  return moved(await handle.stat(), quiet) ? undefined : onDisk;
}

/** A digest session fed with [0, length) of the source as it is on disk now. */
async function digestOfDisk(session: Session, length: number): Promise<DigestSession> {
  const { job, handle, deps, signal } = session;
  const digest = deps.hasher.session();
  const buffers = [allocChunk(Math.min(length, rehashBytes)), allocChunk(Math.min(length, rehashBytes))];
  const hashing: Promise<void>[] = [];
  // Growing: only shrinking counts as a change while the prefix is read.
  const source = { path: job.path, size: length, mtimeMs: job.mtimeMs, growing: true };
  try {
    for (let from = 0, turn = 0; from < length; from += rehashBytes, turn++) {
      signal.throwIfAborted();
      await hashing[turn % 2];
      const body = await readChunk(handle, source, from, Math.min(length, from + rehashBytes), buffers[turn % 2]);
      hashing[turn % 2] = digest.updateShared(body);
    }
    await Promise.all(hashing);
  } catch (error) {
    digest.drop();
    throw error;
  }
  return digest;
}
