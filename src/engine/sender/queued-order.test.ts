// Starting a job must not walk the queue: the next queued job comes from an ordered index, which
// follows moves. Jobs here count every read of their status, so "does not touch every job" is
// measured by counting, not timing.
import { expect, it } from 'vitest';
import type { UploadJob } from '../../shared/upload-job';
import { createMemoryPersistence } from './queue-persistence';
import { seededRandom } from '../../../test/support/sender-test-kit';
import type { TusClient } from './tus-client';
import { createUploadPool } from './upload-pool';
import { createUploadQueue } from './upload-queue';

const endpoints = ['http://127.0.0.1:9/files/', 'http://127.0.0.2:9/files/'];

/** A job whose `status` reads are counted. */
function countedJob(
  index: number,
  status: UploadJob['status'],
  reads: { count: number },
  endpoint = endpoints[0]!,
): UploadJob {
  let value = status;
  const job = {
    id: `job-${index}`,
    path: `/data/file-${index}.bin`,
    name: `file-${index}.bin`,
    size: 10,
    mtimeMs: index,
    target: { endpoint },
    acknowledged: 0,
    sent: 0,
    attempts: 0,
    addedAt: 1,
  } as Omit<UploadJob, 'status'>;
  Object.defineProperty(job, 'status', {
    enumerable: true,
    get: () => (reads.count++, value),
    set: (next: UploadJob['status']) => void (value = next),
  });
  return job as UploadJob;
}

async function bigQueue(count: number) {
  const reads = { count: 0 };
  // All done but the last one: a linear scan reads every job's status before it finds it.
  const jobs = Array.from({ length: count }, (_, index) =>
    countedJob(index, index === count - 1 ? 'queued' : 'completed', reads),
  );
  const queue = createUploadQueue(createMemoryPersistence({ version: 1, jobs }), { saveDelayMs: 60_000 });
  await queue.restore();
  reads.count = 0;
  return { queue, reads, last: jobs[count - 1]! };
}

it('nextQueued in a 100,000-job queue reads a handful of jobs, not all of them', async () => {
  const { queue, reads, last } = await bigQueue(100_000);
  expect(queue.nextQueued(new Set())?.id).toBe(last.id);
  expect(queue.nextQueued(new Set())?.id).toBe(last.id);
  expect(queue.nextQueued(new Set([last.id]))).toBeUndefined();
  console.log('nextQueued x3, 100,000 jobs: status reads', reads.count);
  expect(reads.count).toBeLessThan(50);
});

it('the pool starts the one queued job of 100,000 without walking the queue', { timeout: 30_000 }, async () => {
  const { queue, reads, last } = await bigQueue(100_000);
  let asked = 0;
  // A target that refuses at once: the job fails, and the pool looks for the next one.
  const client = {
    options: async () => {
      asked += 1;
      throw Object.assign(new Error('Forbidden'), { code: 'HTTP_403' });
    },
    hasAnswered: () => true,
    close: () => undefined,
  } as unknown as TusClient;
  const pool = createUploadPool(queue, client, { retryDelays: [], maxAttempts: 1 });
  pool.start();
  await pool.whenIdle();
  expect(asked).toBe(1);
  expect(queue.get(last.id)?.status).toBe('failed');
  console.log('pool start to idle, 100,000 jobs: status reads', reads.count);
  expect(reads.count).toBeLessThan(200);
  await pool.close();
});

it('follows the queue order through moves, status changes, target changes and removals', async () => {
  const random = seededRandom(8);
  const reads = { count: 0 };
  const statuses: UploadJob['status'][] = ['queued', 'running', 'paused', 'completed'];
  const jobs = Array.from({ length: 60 }, (_, index) =>
    countedJob(index, statuses[index % 4]!, reads, endpoints[index % 2]),
  );
  const queue = createUploadQueue(createMemoryPersistence({ version: 1, jobs }), { saveDelayMs: 60_000 });
  await queue.restore();
  const pick = () => queue.list()[Math.floor(random() * queue.list().length)]!;
  for (let step = 0; step < 3_000; step++) {
    const roll = random();
    // Many moves to the same place, so the order keys run out of room and are laid out again.
    if (roll < 0.35) queue.move(pick().id, random() < 0.5 ? 1 : Math.floor(random() * 70) - 5);
    else if (roll < 0.8) queue.update(pick().id, { status: statuses[Math.floor(random() * 4)]! });
    else if (roll < 0.9) queue.update(pick().id, { target: { endpoint: endpoints[Math.floor(random() * 2)]! } });
    else if (roll < 0.92 && queue.list().length > 10) queue.remove(pick().id);
    const skip = new Set(
      queue
        .list()
        .filter(() => random() < 0.1)
        .map((job) => job.id),
    );
    const expected = queue.list().find((job) => job.status === 'queued' && !skip.has(job.id));
    expect(queue.nextQueued(skip)?.id).toBe(expected?.id);
    const usable = (target: { endpoint: string }) => target.endpoint === endpoints[1];
    const expectedUsable = queue.list().find((job) => job.status === 'queued' && usable(job.target));
    expect(queue.nextQueued(new Set(), usable)?.id).toBe(expectedUsable?.id);
  }
});
