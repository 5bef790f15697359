// What the queue writes to the user's disk: progress ticks many times a second must not rewrite a
// 10,000-job queue, a durable change writes about one job, and a kill after unsaved progress still
// restores every job's state exactly (resume goes by HEAD, not by saved progress).
import { appendFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { UploadJob, UploadTarget } from '../../shared/upload-job';
import { createJsonFilePersistence, type QueuePersistence } from './queue-persistence';
import { makeTempDir, removeDir } from '../../../test/support/sender-test-kit';
import { createUploadQueue } from './upload-queue';

const target: UploadTarget = { endpoint: 'http://127.0.0.1:9/files/', headers: { authorization: 'Bearer t' } };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('queue-writes');
});
afterEach(() => removeDir(dir));

const jobOf = (index: number, patch: Partial<UploadJob> = {}): UploadJob => ({
  id: `job-${String(index).padStart(6, '0')}`,
  path: `/data/set/folder-${index % 100}/file-${index}.bin`,
  name: `file-${index}.bin`,
  relativePath: `set/folder-${index % 100}/file-${index}.bin`,
  size: 50_000_000,
  mtimeMs: 1_700_000_000_000 + index,
  target,
  status: 'queued',
  acknowledged: 0,
  sent: 0,
  attempts: 0,
  addedAt: 1_700_000_000_000,
  ...patch,
});

/**
 * Counts what the queue hands its persistence (serialized as the ports write it), and can be killed:
 * after `kill`, nothing more reaches the disk, as when the process dies.
 */
function instrument(inner: QueuePersistence) {
  const counts = { bytes: 0, fullSaves: 0, changeSaves: 0 };
  let killed = false;
  const port: QueuePersistence = {
    load: () => inner.load(),
    async save(state) {
      if (killed) return;
      counts.fullSaves += 1;
      counts.bytes += Buffer.byteLength(JSON.stringify(state));
      await inner.save(state);
    },
  };
  if (inner.saveChanges) {
    port.saveChanges = async (changes, current) => {
      if (killed) return;
      counts.changeSaves += 1;
      counts.bytes += Buffer.byteLength(JSON.stringify(changes));
      await inner.saveChanges!(changes, () => {
        const state = current();
        counts.fullSaves += 1;
        counts.bytes += Buffer.byteLength(JSON.stringify(state));
        return state;
      });
    };
  }
  return { port, counts, kill: () => void (killed = true) };
}

/** Bytes the state files take on disk now. */
async function diskBytes(): Promise<number> {
  const names = await readdir(join(dir, 'state'));
  const sizes = await Promise.all(names.map(async (name) => (await stat(join(dir, 'state', name))).size));
  return sizes.reduce((sum, size) => sum + size, 0);
}

it(
  '10,000 jobs, 4 running: progress ticks write nothing until the slow timer or a flush, and then only the changed jobs',
  { timeout: 60_000 },
  async () => {
    const path = join(dir, 'state', 'queue.json');
    const jobs = Array.from({ length: 10_000 }, (_, index) =>
      jobOf(
        index,
        index < 4 ? { status: 'running', phase: 'uploading', uploadUrl: `${target.endpoint}u${index}` } : {},
      ),
    );
    await createJsonFilePersistence(path).save({ version: 1, jobs });
    const fullBytes = Buffer.byteLength(JSON.stringify({ version: 1, jobs }));
    const oneJob = Buffer.byteLength(JSON.stringify(jobs[0]));
    const { port, counts } = instrument(createJsonFilePersistence(path));
    const queue = createUploadQueue(port);
    await queue.restore();
    const running = jobs.slice(0, 4).map((job) => job.id);
    for (const id of running) queue.update(id, { status: 'running', phase: 'uploading' });
    await queue.flush();
    const afterStart = { ...counts };
    const diskAfterStart = await diskBytes();

    // 3 s of progress at 20 ticks a second, as the runner reports acknowledged bytes.
    const ticks = 60;
    for (let tick = 1; tick <= ticks; tick++) {
      for (const id of running) queue.update(id, { acknowledged: tick * 65_536, sent: tick * 65_536 + 1_000 });
      await sleep(50);
    }
    const duringTicks = counts.bytes - afterStart.bytes;
    await queue.flush();
    const withFlush = counts.bytes - afterStart.bytes;
    const diskGrowth = (await diskBytes()) - diskAfterStart;

    // Then ten files finish: a durable change each, saved within the coalescing delay.
    const before = counts.bytes;
    for (const id of jobs.slice(10, 20).map((job) => job.id))
      queue.update(id, { status: 'completed', acknowledged: 50_000_000, sent: 50_000_000, finishedAt: 2 });
    await sleep(900);
    const forTen = counts.bytes - before;
    console.log('queue writes, 10,000 jobs', {
      fullQueueBytes: fullBytes,
      ticks,
      runningJobs: 4,
      bytesDuringTicks: duringTicks,
      bytesWithFlush: withFlush,
      diskGrowth,
      bytesForTenCompletions: forTen,
      fullSaves: counts.fullSaves - afterStart.fullSaves,
    });

    expect(duringTicks).toBe(0);
    // The flush writes the 4 changed jobs, nothing else.
    expect(withFlush).toBeLessThan(4 * oneJob + 1_000);
    expect(diskGrowth).toBeLessThan(4 * oneJob + 1_000);
    expect(forTen).toBeGreaterThan(0);
    expect(forTen).toBeLessThan(10 * oneJob + 1_000);
    expect(counts.fullSaves).toBe(afterStart.fullSaves);
  },
);

it(
  'restores done, paused, failed and in-flight (as queued) jobs exactly after a kill that lost unsaved progress',
  { timeout: 30_000 },
  async () => {
    const path = join(dir, 'state', 'queue.json');
    await mkdir(join(dir, 'tree'));
    const names = ['done', 'paused', 'failed', 'running', 'queued', 'canceled'];
    await Promise.all(names.map((name) => writeFile(join(dir, 'tree', `${name}.bin`), name.repeat(100))));
    const { port, counts, kill } = instrument(createJsonFilePersistence(path));
    const queue = createUploadQueue(port);
    await queue.restore();
    await queue.add([join(dir, 'tree')], target);
    const job = (name: string) => queue.list().find((entry) => entry.name === `${name}.bin`)!;
    queue.update(job('done').id, {
      status: 'completed',
      acknowledged: 400,
      sent: 400,
      uploadUrl: `${target.endpoint}done`,
      sha256: 'ab'.repeat(32),
      finishedAt: 1_700_000_000_123,
    });
    queue.update(job('paused').id, {
      status: 'paused',
      acknowledged: 200,
      sent: 300,
      uploadUrl: `${target.endpoint}p`,
    });
    queue.update(job('failed').id, {
      status: 'failed',
      attempts: 4,
      error: { code: 'HTTP_403', message: 'Creating the upload failed: HTTP 403' },
    });
    const parts = [
      { start: 0, end: 350, url: `${target.endpoint}p1`, offset: 100 },
      { start: 350, end: 700, offset: 0 },
    ];
    queue.update(job('running').id, {
      status: 'running',
      phase: 'uploading',
      acknowledged: 100,
      sent: 150,
      parts,
      attempts: 2,
    });
    queue.update(job('canceled').id, { status: 'canceled' });
    queue.move(job('queued').id, 0);
    await queue.flush();
    const durable = structuredClone(queue.list());

    // Progress only, then well past the coalescing delay: none of it is written.
    const writes = counts.changeSaves + counts.fullSaves;
    queue.update(job('running').id, { acknowledged: 300, sent: 350, phase: 'stalled' });
    queue.update(job('paused').id, { acknowledged: 250, sent: 250 });
    await sleep(1_200);
    expect(counts.changeSaves + counts.fullSaves).toBe(writes);
    kill();
    // A kill in the middle of an append leaves a torn last line; it is ignored.
    const journal = (await readdir(join(dir, 'state'))).find((name) => name.endsWith('.journal'));
    expect(journal).toBeDefined();
    await appendFile(join(dir, 'state', journal!), '{"generation":0,"jobs":[{"id":"job-');

    const restored = createUploadQueue(createJsonFilePersistence(path));
    await restored.restore();
    const expected = durable.map((entry) =>
      entry.status === 'running' ? { ...entry, status: 'queued', phase: undefined } : entry,
    );
    expect(restored.list()).toEqual(expected);
    expect(restored.list()[0]?.name).toBe('queued.bin');
    expect(restored.get(job('running').id)).toMatchObject({ status: 'queued', parts, acknowledged: 100, attempts: 2 });
  },
);

it('clearing finished jobs is written, and survives a restore', async () => {
  const path = join(dir, 'state', 'queue.json');
  await mkdir(join(dir, 'files'));
  await Promise.all(['a', 'b', 'c'].map((name) => writeFile(join(dir, 'files', `${name}.txt`), name)));
  const queue = createUploadQueue(createJsonFilePersistence(path));
  await queue.add([join(dir, 'files')], target);
  const id = (name: string) => queue.list().find((job) => job.name === name)!.id;
  queue.update(id('a.txt'), { status: 'completed' });
  queue.update(id('b.txt'), { status: 'canceled' });
  expect(queue.removeFinished()).toBe(2);
  await queue.flush();
  const restored = createUploadQueue(createJsonFilePersistence(path));
  await restored.restore();
  expect(restored.list().map((job) => job.name)).toEqual(['c.txt']);
});

it('progress is saved on the slow timer, and a restore shows it then', async () => {
  const path = join(dir, 'state', 'queue.json');
  await createJsonFilePersistence(path).save({
    version: 1,
    jobs: [jobOf(1, { status: 'paused', uploadUrl: `${target.endpoint}u1` })],
  });
  const queue = createUploadQueue(createJsonFilePersistence(path), { progressSaveMs: 300 });
  await queue.restore();
  queue.update('job-000001', { acknowledged: 4_096, sent: 8_192 });
  const restoredNow = async () => {
    const restored = createUploadQueue(createJsonFilePersistence(path));
    await restored.restore();
    return restored.get('job-000001')?.acknowledged;
  };
  await sleep(100);
  expect(await restoredNow()).toBe(0);
  await sleep(500);
  expect(await restoredNow()).toBe(4_096);
});
