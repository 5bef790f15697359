import { expect, it } from 'vitest';
import type { UploadJob } from '../../shared/upload-job';
import { bulkEligible, claimBatch, defaultBulkLimits } from './bulk-batch';
import { queuedJob, type QueuedJob } from './queued-job';
import type { ServerCapabilities } from './tus-client';

const caps: ServerCapabilities = {
  extensions: new Set(),
  maxSize: undefined,
  checksumAlgorithms: new Set(),
  ferryFeatures: new Set(['bulk-upload']),
};
const target = { endpoint: 'http://127.0.0.1:1/files/' };

function job(id: string, size: number, extra: Partial<UploadJob> = {}): QueuedJob {
  return queuedJob({
    id,
    path: `/src/${id}`,
    name: id,
    size,
    mtimeMs: 1,
    target,
    status: 'queued',
    acknowledged: 0,
    sent: 0,
    attempts: 0,
    addedAt: 0,
    ...extra,
  });
}

/** Claims from `queue` in order, as the pool's queue index would hand them out. */
function claimFrom(queue: QueuedJob[], limits = defaultBulkLimits) {
  const [first, ...rest] = queue;
  const claimed: string[] = [];
  const batch = claimBatch(
    first!,
    limits,
    (next) => bulkEligible(next, limits, caps),
    () => rest[0],
    (next) => {
      claimed.push(next.id);
      rest.shift();
    },
  );
  return { batch: batch.map((j) => j.id), claimed };
}

it('takes the small files after the first, in order, and stops at the first that does not fit', () => {
  const { batch, claimed } = claimFrom([job('a', 10), job('b', 10), job('big', 300 * 1024), job('c', 10)]);
  expect(batch).toEqual(['a', 'b']);
  // What did not fit was not claimed: it goes alone, in its turn.
  expect(claimed).toEqual(['b']);
});

it('stops at the file and byte limits of one request', () => {
  const queue = Array.from({ length: 10 }, (_, i) => job(`f${i}`, 100));
  expect(claimFrom(queue, { ...defaultBulkLimits, maxFiles: 4 }).batch).toHaveLength(4);
  expect(claimFrom(queue, { ...defaultBulkLimits, maxBytes: 350 }).batch).toHaveLength(3);
});

it('leaves out what must go the per-file way: under way, growing, with a sha256, too big for the server', () => {
  expect(bulkEligible(job('a', 1, { uploadUrl: 'http://x/files/1' }), defaultBulkLimits, caps)).toBe(false);
  expect(bulkEligible(job('a', 1, { growing: true }), defaultBulkLimits, caps)).toBe(false);
  expect(bulkEligible(job('a', 1, { sha256: 'ab'.repeat(32) }), defaultBulkLimits, caps)).toBe(false);
  expect(bulkEligible(job('a', 100), defaultBulkLimits, { ...caps, maxSize: 50 })).toBe(false);
  expect(bulkEligible(job('a', 100), defaultBulkLimits, caps)).toBe(true);
});

it('keeps to one target: same endpoint with other headers is another target', () => {
  const other = job('b', 10, { target: { ...target, headers: { authorization: 'Bearer other' } } });
  expect(claimFrom([job('a', 10), other]).batch).toEqual(['a']);
});
