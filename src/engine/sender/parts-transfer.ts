import type { PartState } from '../../shared/upload-job';
import { sendRange } from './send-range';
import { forPart, metadataOf, type Session } from './transfer-session';

/**
 * Seals finished partial uploads with a final upload carrying the whole file's sha256, which Ferry's
 * receiver checks before the file lands.
 */
export async function sealParts(session: Session, parts: PartState[], length: number, sha256: string): Promise<void> {
  const { job, target, deps } = session;
  const final = await deps.client.create(target, {
    length,
    metadata: metadataOf(job, sha256),
    concat: { final: parts.map((part) => part.url!) },
  });
  // On disk before the job counts as done: a kill now must resume by HEAD, not seal the parts again.
  await deps.save({ uploadUrl: final.url, parts, sha256, sha256Confirmed: final.sha256 === sha256 }, true);
}

function splitParts(size: number, count: number, chunkSize: number): PartState[] {
  const per = Math.ceil(size / count / chunkSize) * chunkSize;
  const parts: PartState[] = [];
  for (let start = 0; start < size; start += per) parts.push({ start, end: Math.min(size, start + per), offset: 0 });
  return parts;
}

/**
 * Parts through tus concatenation: partial uploads, then one final upload that carries the whole
 * file's sha256. With one part this seals a chunked file: the receiver checks every byte before the
 * file lands, which a plain chunked upload cannot ask for (its metadata is fixed before the hash is known).
 */
export async function sendParts(session: Session, count: number): Promise<void> {
  const { job, target, deps, settings } = session;
  if (job.uploadUrl) {
    const head = await deps.client.head(target, job.uploadUrl);
    if (head.offset === job.size) {
      // Sealed by an earlier run: the receiver's HEAD names what it checked.
      await deps.save({ sha256Confirmed: head.sha256 !== undefined && head.sha256 === job.sha256 });
      return deps.onResumedAt(job.size);
    }
  }
  const fresh = !job.parts;
  // The transfer's working copy: the queue's parts change only when saved (a new part's URL, a part
  // done), and a resume asks each part's offset by HEAD, so progress in between lives in `acknowledged`.
  const parts = (job.parts ?? splitParts(job.size, count, settings.chunkSize)).map((part) => ({ ...part }));
  // One fresh part goes out in order, so its bytes feed the whole-file sha256 on their way: as they are
  // read for a one-pass receiver, else as they are acknowledged. Otherwise (parts in any order, or a
  // resume) the file is hashed in a pass of its own on the worker thread while the parts are on the wire.
  const inOrder = fresh && parts.length === 1 ? deps.hasher.session() : undefined;
  const separatePass = inOrder ? undefined : deps.hasher.hashFile(job.path, session.signal);
  separatePass?.catch(() => undefined);
  const acknowledged = () => parts.reduce((sum, part) => sum + part.offset, 0);
  const sentByPart = new Map<PartState, number>();
  const inner = new AbortController();
  const onAbort = () => inner.abort(session.signal.reason);
  session.signal.addEventListener('abort', onAbort);
  // Several parts already overlap one another's reading, hashing and sending: one buffer each is enough.
  const prefetch = parts.length === 1;
  try {
    await Promise.all(
      parts.map(async (part) => {
        try {
          const length = part.end - part.start;
          if (!part.url) {
            // A lone part is the whole file: its name shows on the receiver while it arrives.
            part.url = (
              await deps.client.create(target, {
                length,
                metadata: parts.length === 1 ? metadataOf(job) : {},
                concat: 'partial',
              })
            ).url;
            await deps.save({ parts }, true);
          } else {
            part.offset = (await deps.client.head(target, part.url)).offset;
            deps.onResumedAt(acknowledged());
          }
          await sendRange(
            forPart(session, inner.signal, prefetch),
            part.url,
            part.start,
            part.end,
            part.offset,
            (ack, sent) => {
              part.offset = ack;
              sentByPart.set(part, sent);
              deps.onAcknowledged(acknowledged());
              deps.onSent([...sentByPart.values()].reduce((a, b) => a + b, 0));
            },
            // The seal carries the file's sha256: the receiver checks every part through it.
            { whole: inOrder, checkedWhole: true },
          );
          await deps.save({ parts });
        } catch (error) {
          // One part failing stops the others; each resumes from the offset its HEAD gives.
          inner.abort(error);
          throw error;
        }
      }),
    );
  } catch (error) {
    inOrder?.drop();
    throw error;
  } finally {
    session.signal.removeEventListener('abort', onAbort);
  }
  deps.onPhase('finalizing');
  const sha256 = inOrder ? (await inOrder.finish()).toString('hex') : await separatePass!;
  await sealParts(session, parts, job.size, sha256);
  deps.onAcknowledged(job.size);
}
