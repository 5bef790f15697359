import { readChunk } from './chunk-reader';
import { TusRequestError } from './sender-errors';
import { recordLandedSha256 } from './landed-sha256';
import { sendRange } from './send-range';
import { withStallWatch } from './stall-watch';
import { bodyOf, checksumsWanted, idempotencyKeyOf, metadataOf, type Session } from './transfer-session';

const hexOf = (checksumValue: string) => Buffer.from(checksumValue.slice('sha256 '.length), 'base64').toString('hex');

/** Ferry's receiver gives a repeated creation (same key) the same upload back. */
export const idempotentCreation = ({ caps }: Session) => caps.ferryFeatures.has('idempotent-creation');

/**
 * A keyed one-request creation was sent and its answer never came (a broken connection, a stall, a
 * kill): its sha256 is on the job, its URL is not. The same key asks for that upload again.
 */
export const creationUnanswered = (session: Session) =>
  idempotentCreation(session) && session.job.sha256 !== undefined && !session.job.uploadUrl && !session.job.parts;

/** Where a sequential upload stands: its URL, the offset the server has, and the file's sha256 if known now. */
interface OpenUpload {
  url: string;
  offset: number;
  sha256?: string;
  /** The answer of the request that opened it, which names the sha256 the receiver checked if that landed the file. */
  landing?: { sha256?: string };
  /** The offset was stored by an earlier run (found by HEAD, or by asking for the creation again), not sent now. */
  storedBefore?: boolean;
}

/**
 * A small file in one request that creates the upload and carries all of its bytes. The body is the
 * whole file, so one digest serves as chunk checksum and end-to-end sha256. Returns the new upload.
 */
async function createWithBody(session: Session): Promise<OpenUpload> {
  const { job, source, target, handle, deps, settings } = session;
  const body = await readChunk(handle, source, 0, job.size);
  const digest = await deps.hasher.checksum(body);
  const sha256 = hexOf(digest);
  const key = idempotentCreation(session) ? idempotencyKeyOf(job, sha256) : undefined;
  // With a key, a retry asks for this upload again instead of sending a second one (creationUnanswered).
  if (key) await deps.save({ sha256 });
  const startedAt = performance.now();
  let sent = 0;
  try {
    // Through the limiter like every chunk, and watched by the bytes that leave: a slow link is not a stall.
    const created = await withStallWatch(settings.stallTimeoutMs, session.signal, (createSignal, touch) =>
      deps.client.create(target, {
        length: job.size,
        metadata: metadataOf(job, sha256, key),
        body: deps.limiter.rate === null ? body : bodyOf(body, deps.limiter, createSignal),
        // The body is the whole file: its checksum is the file's sha256, no extra pass on this side, and
        // the receiver checks the body as it stores it instead of reading the file back.
        checksum: checksumsWanted(session, false) && job.size > 0 ? digest : undefined,
        signal: createSignal,
        onSent: (bytes) => {
          sent = bytes;
          touch();
          deps.onSent(bytes);
        },
      }),
    );
    // Complete in one request: nothing left to resume, so no need to wait for the disk.
    await deps.save({ uploadUrl: created.url, sha256 }, created.offset < job.size);
    return { url: created.url, offset: created.offset, sha256, landing: created };
  } catch (error) {
    // The upload exists though the request failed (the answer names it): resume it rather than leave it behind.
    if (error instanceof TusRequestError && error.location)
      await deps.save({ uploadUrl: error.location, sha256 }, true);
    throw error;
  } finally {
    deps.link.record(sent, performance.now() - startedAt);
  }
}

async function openUpload(session: Session, oneRequest: boolean): Promise<OpenUpload> {
  const { job, target, deps } = session;
  if (job.uploadUrl) {
    const head = await deps.client.head(target, job.uploadUrl);
    if (head.length !== undefined && head.length !== job.size)
      throw new TusRequestError('LENGTH_CHANGED', 'The stored upload has another length', 410, undefined);
    return { url: job.uploadUrl, offset: head.offset, landing: head, storedBefore: true };
  }
  if (creationUnanswered(session)) {
    // Without the body: the receiver has what arrived of it (or nothing, if the request never got
    // there), and the rest goes in chunks sized for the link.
    const created = await deps.client.create(target, {
      length: job.size,
      metadata: metadataOf(job, job.sha256, idempotencyKeyOf(job, job.sha256!)),
    });
    await deps.save({ uploadUrl: created.url }, true);
    return { url: created.url, offset: created.offset, sha256: job.sha256, landing: created, storedBefore: true };
  }
  if (oneRequest) return createWithBody(session);
  const created = await deps.client.create(target, { length: job.size, metadata: metadataOf(job) });
  await deps.save({ uploadUrl: created.url }, true);
  return { url: created.url, offset: 0 };
}

/** One upload, filled in order by chunks from where the server stands. */
export async function sendSequential(session: Session, oneRequest: boolean): Promise<void> {
  const { job, deps } = session;
  const { url, offset, sha256, landing, storedBefore } = await openUpload(session, oneRequest);
  if (storedBefore) deps.onResumedAt(offset);
  else deps.onAcknowledged(offset);
  // From the first byte, the whole file's sha256 comes along for free, fed in acknowledged order.
  const whole = offset === 0 && offset < job.size && !job.sha256 && !sha256 ? deps.hasher.session() : undefined;
  // Created with its sha256 (a small file's one request, resumed; or a creation asked for again).
  const declared = (sha256 ?? job.sha256) !== undefined;
  try {
    await sendRange(
      session,
      url,
      0,
      job.size,
      offset,
      (acknowledged, sent) => {
        deps.onAcknowledged(acknowledged);
        deps.onSent(sent);
        if (sent === job.size && acknowledged < job.size) deps.onPhase('finalizing');
      },
      { whole, checkedWhole: declared },
    );
  } catch (error) {
    whole?.drop();
    throw error;
  }
  const digest = whole ? (await whole.finish()).toString('hex') : (sha256 ?? job.sha256);
  // Landed by the request that opened it, that answer says whether the receiver confirmed it.
  await recordLandedSha256(session, url, digest, offset === job.size ? landing : undefined);
}
