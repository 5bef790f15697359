// The pool's overall totals are kept from the queue's changes, not by walking the queue on every call:
// after any sequence of adds, updates, removes, clears, moves and restores they equal a full recount.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import type { UploadJob } from '../../shared/upload-job';
import { createMemoryPersistence } from './queue-persistence';
import { createTusClient } from './tus-client';
import { createUploadPool, type UploadPool } from './upload-pool';
import { createUploadQueue, type QueuedJob } from './upload-queue';
import { makeTempDir, removeDir, seededRandom } from '../../../test/support/sender-test-kit';

let dir: string | undefined;
let pool: UploadPool | undefined;
afterEach(async () => {
  await pool?.close();
  await removeDir(dir);
  dir = pool = undefined;
});

const statuses: UploadJob['status'][] = ['queued', 'running', 'paused', 'completed', 'failed', 'canceled'];

function recount(jobs: readonly QueuedJob[], include: (job: QueuedJob) => boolean = () => true) {
  const totals = { files: 0, completed: 0, failed: 0, size: 0, acknowledged: 0, sent: 0, paused: 0, pending: 0 };
  for (const job of jobs) {
    if (job.status === 'canceled' || !include(job)) continue;
    totals.files += 1;
    totals.size += job.size;
    totals.acknowledged += job.acknowledged;
    totals.sent += Math.max(job.sent, job.acknowledged);
    if (job.status === 'completed') totals.completed += 1;
    if (job.status === 'failed') totals.failed += 1;
    if (job.status === 'paused') totals.paused += 1;
    if (job.status === 'queued' || job.status === 'running') totals.pending += 1;
  }
  return totals;
}

it.each([1, 2, 3])('overall() equals a full recount after 400 random queue changes (seed %i)', async (seed) => {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  dir = await makeTempDir('totals');
  const files = ['a.bin', 'b.bin', 'c.bin'].map((name) => join(dir!, name));
  for (const [index, file] of files.entries()) await writeFile(file, Buffer.alloc(1000 * (index + 1)));
  const persistence = createMemoryPersistence();
  const queue = createUploadQueue(persistence, { saveDelayMs: 0 });
  await queue.add(files, { endpoint: 'http://127.0.0.1:9/files/' });
  pool = createUploadPool(queue, createTusClient());
  const listAll = queue.list;
  const big = (job: QueuedJob) => job.size >= 2000;
  pool.overall();
  pool.overall(big);
  const list = vi.spyOn(queue, 'list');
  let walks = 0;
  for (let step = 0; step < 400; step++) {
    const roll = random();
    const jobs = listAll();
    if (roll < 0.1 || jobs.length === 0) {
      await queue.add([pick(files)], { endpoint: 'http://127.0.0.1:9/files/' }, { allowDuplicates: true });
    } else if (roll < 0.8) {
      const job = pick(jobs);
      const patch: Partial<UploadJob> = {};
      if (random() < 0.5) patch.status = pick(statuses);
      if (random() < 0.6) patch.acknowledged = Math.floor(random() * (job.size + 1));
      if (random() < 0.2) patch.size = Math.floor(random() * 5000);
      if (random() < 0.3) patch.sent = Math.floor(random() * (job.size + 1));
      queue.update(job.id, patch);
    } else if (roll < 0.9) {
      queue.remove(pick(jobs).id);
    } else if (roll < 0.95) {
      queue.removeFinished();
    } else if (roll < 0.98) {
      // A reorder tells listeners `'all'`: the one case that counts everything again.
      queue.move(pick(jobs).id, Math.floor(random() * jobs.length));
      walks += 1;
    } else {
      await queue.flush();
      await queue.restore();
      walks += 1;
    }
    expect(pool.overall()).toMatchObject(recount(listAll()));
    expect(pool.overall(big)).toMatchObject(recount(listAll(), big));
  }
  // Two trackers (every job, big ones), each walking once per `'all'`, and never otherwise.
  expect(list).toHaveBeenCalledTimes(2 * walks);
  expect(walks).toBeGreaterThan(0);
});

it('a closed pool stops following the queue, and overall() then counts it once per call', async () => {
  dir = await makeTempDir('totals-closed');
  const file = join(dir, 'a.bin');
  await writeFile(file, Buffer.alloc(100));
  const queue = createUploadQueue(createMemoryPersistence());
  const [job] = (await queue.add([file], { endpoint: 'http://127.0.0.1:9/files/' })).added;
  pool = createUploadPool(queue, createTusClient());
  expect(pool.overall()).toMatchObject({ files: 1, acknowledged: 0 });
  await pool.close();
  queue.update(job!.id, { acknowledged: 60 });
  expect(pool.overall()).toMatchObject({ files: 1, acknowledged: 60 });
  pool = undefined;
});
