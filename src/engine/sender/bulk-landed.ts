import { bulkFeature, type BulkClient } from './bulk-client';
import type { QueuedJob } from './queued-job';
import { TusRequestError } from './sender-errors';
import { idempotencyKeyOf } from './transfer-session';
import type { TusClient } from './tus-client';

/**
 * A job with a sha256 and no upload may have gone in a bulk request whose answer never came (or landed
 * that way before, and is checked again): its key says whether the receiver has it. Asked before the
 * job goes the per-file way, which would otherwise land it a second time. The sha256 the receiver
 * checked, when the file is there; undefined when it is not (or the target keeps no bulk keys).
 */
export async function landedInBulk(
  client: TusClient,
  bulk: BulkClient | undefined,
  job: QueuedJob,
  signal: AbortSignal,
): Promise<string | undefined> {
  if (!bulk || job.sha256 === undefined || job.uploadUrl || job.parts || job.growing) return undefined;
  const caps = await client.options(job.target);
  if (!caps.ferryFeatures.has(bulkFeature)) return undefined;
  let answer;
  try {
    [answer] = await bulk.landed(job.target, [idempotencyKeyOf(job, job.sha256)], signal);
  } catch (error) {
    // Refused (a guest's token, an older receiver): no bulk request of this sender landed there.
    const status = error instanceof TusRequestError ? error.httpStatus : undefined;
    if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) return undefined;
    throw error;
  }
  if (answer?.status === 'arriving')
    throw new TusRequestError('BULK_ARRIVING', 'The file is still arriving from an earlier request', 409, undefined);
  return answer?.status === 'landed' ? answer.sha256 : undefined;
}
