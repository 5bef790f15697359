import { open } from 'node:fs/promises';
import type { QueuedJob } from './queued-job';
import { sendGrowing } from './growing-transfer';
import { sendParts } from './parts-transfer';
import { TusRequestError } from './sender-errors';
import { creationUnanswered, sendSequential } from './sequential-transfer';
import { fileSession, nextRequestBytes, type Session, type TransferDeps } from './transfer-session';

export type { TransferDeps, TransferSettings } from './transfer-session';

/**
 * The largest file sent in its creation request. That body is read whole into memory and hashed
 * before it leaves, so a file past this streams in requests of its own however large the chunk size.
 */
export const oneRequestMaxBytes = 8 * 1024 * 1024;

/**
 * Picks how a file travels: one request if it fits in what the link carries in one request (see
 * request-size.ts) and in `oneRequestMaxBytes`; parts through concatenation when the server has it
 * and more than one is wanted; one sealed part where Ferry's receiver checks the sha256; plain
 * chunks otherwise. A job already under way keeps the way it started.
 */
function sendByPlan(session: Session): Promise<void> {
  const { job, caps, settings } = session;
  if (job.growing) return sendGrowing(session);
  if (job.parts) return sendParts(session, job.parts.length);
  // A one-request creation whose answer was lost goes on as that same upload.
  if (job.uploadUrl || creationUnanswered(session)) return sendSequential(session, false);
  const concatenation = caps.extensions.has('concatenation');
  if (concatenation && settings.parallel > 1 && job.size >= 2 * settings.chunkSize)
    return sendParts(session, settings.parallel);
  const oneRequest =
    job.size <= Math.min(nextRequestBytes(session), oneRequestMaxBytes) && caps.extensions.has('creation-with-upload');
  if (concatenation && !oneRequest && job.size > 0 && caps.ferryFeatures.has('end-to-end-sha256'))
    return sendParts(session, 1);
  return sendSequential(session, oneRequest);
}

/** Uploads one file to completion or throws; resume state lives on the job. */
export async function transferFile(job: QueuedJob, deps: TransferDeps, signal: AbortSignal): Promise<void> {
  const caps = await deps.client.options(job.target);
  if (caps.maxSize !== undefined && job.size > caps.maxSize)
    throw new TusRequestError(
      'FILE_TOO_LARGE',
      `The file is larger than the server accepts (${caps.maxSize} bytes)`,
      413,
      undefined,
    );
  const settings = deps.settings();
  const handle = await open(job.path, 'r');
  try {
    const session = fileSession(job, handle, caps, settings, deps, signal);
    // A stalled or waiting job says so until the server answers again (onAcknowledged clears it).
    if (job.phase === undefined || job.phase === 'finalizing') deps.onPhase('uploading');
    await sendByPlan(session);
  } finally {
    await handle.close();
  }
}
