import { copyFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { UploadJob } from '../../shared/upload-job';
import { createJsonFilePersistence, createReplay, type PersistedQueue } from './queue-persistence';
import { makeTempDir, removeDir } from '../../../test/support/sender-test-kit';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('queue-journal');
});
afterEach(() => removeDir(dir));

const jobOf = (index: number, patch: Partial<UploadJob> = {}): UploadJob => ({
  id: `j${index}`,
  path: `/data/${index}.bin`,
  name: `${index}.bin`,
  size: 100,
  mtimeMs: index,
  target: { endpoint: 'http://127.0.0.1:9/files/' },
  status: 'queued',
  acknowledged: 0,
  sent: 0,
  attempts: 0,
  addedAt: 1,
  ...patch,
});
const state = (jobs: UploadJob[]): PersistedQueue => ({ version: 1, jobs });

it('appends changes, replays them in order, and folds the journal into a new snapshot once it outgrows it', async () => {
  const path = join(dir, 'queue.json');
  const port = createJsonFilePersistence(path);
  await port.load();
  let live = Array.from({ length: 200 }, (_, index) => jobOf(index));
  await port.save(state(live));
  const snapshotBytes = (await stat(path)).size;
  let snapshots = 0;
  for (let round = 0; round < 400; round++) {
    const changed = jobOf(round % 200, { status: 'completed', acknowledged: 100, sent: 100, attempts: round });
    const replay = createReplay(live);
    const changes = { jobs: [changed, jobOf(1_000 + round)], removed: [`j${1_000 + round - 1}`] };
    replay.apply(changes);
    live = replay.result();
    const before = (await stat(path)).mtimeMs;
    await port.saveChanges!(changes, () => state(live));
    if ((await stat(path)).mtimeMs !== before) snapshots += 1;
    const journal = await stat(`${path}.journal`).then(
      (info) => info.size,
      () => 0,
    );
    expect(journal).toBeLessThanOrEqual(Math.max(snapshotBytes * 1.2, 64 * 1024));
  }
  // Each round appends ~700 bytes: the journal was folded in now and then, not every time.
  expect(snapshots).toBeGreaterThan(0);
  expect(snapshots).toBeLessThan(20);
  expect(await createJsonFilePersistence(path).load()).toEqual(state(live));
});

it('ignores journal lines older than the snapshot: a kill between the new snapshot and emptying the journal', async () => {
  const path = join(dir, 'queue.json');
  const port = createJsonFilePersistence(path);
  await port.load();
  await port.save(state([jobOf(1), jobOf(2)]));
  await port.saveChanges!({ jobs: [jobOf(1, { status: 'failed' })], removed: [] }, () => state([]));
  await copyFile(`${path}.journal`, join(dir, 'old-journal'));
  // A compaction with newer state, then the old journal lines are back, as if never emptied.
  await port.save(state([jobOf(1, { status: 'completed' }), jobOf(2)]));
  await copyFile(join(dir, 'old-journal'), `${path}.journal`);
  const loaded = await createJsonFilePersistence(path).load();
  expect(loaded?.jobs.map((job) => job.status)).toEqual(['completed', 'queued']);
});

it('keeps what it could read of a damaged journal, a copy of it, and folds the readable part into the snapshot', async () => {
  const path = join(dir, 'queue.json');
  const port = createJsonFilePersistence(path);
  await port.load();
  await port.save(state([jobOf(1), jobOf(2)]));
  await port.saveChanges!({ jobs: [jobOf(1, { status: 'paused' })], removed: [] }, () => state([]));
  await writeFile(
    `${path}.journal`,
    `${await readFile(`${path}.journal`, 'utf8')}not json\n{"generation":1,"jobs":[],"removed":["j2"]}\n`,
  );
  const reloaded = createJsonFilePersistence(path);
  expect((await reloaded.load())?.jobs.map((job) => job.status)).toEqual(['paused', 'queued']);
  expect((await readdir(dir)).some((name) => name.startsWith('queue.json.unreadable-'))).toBe(true);
  expect(await readFile(`${path}.journal`, 'utf8')).toBe('');
  expect((await createJsonFilePersistence(path).load())?.jobs.map((job) => job.status)).toEqual(['paused', 'queued']);
});

it('a port that never loaded replaces what is stored on its first save, as a whole save does', async () => {
  const path = join(dir, 'queue.json');
  const first = createJsonFilePersistence(path);
  await first.save(state([jobOf(1), jobOf(2)]));
  const fresh = createJsonFilePersistence(path);
  await fresh.saveChanges!({ jobs: [jobOf(3)], removed: [] }, () => state([jobOf(3)]));
  expect((await createJsonFilePersistence(path).load())?.jobs.map((job) => job.id)).toEqual(['j3']);
});

it('writes a large snapshot in pieces that read back as the one JSON document JSON.stringify gives', async () => {
  const path = join(dir, 'queue.json');
  const port = createJsonFilePersistence(path);
  await port.load();
  // Across several pieces (of 1000 jobs), the last one short; and an empty queue.
  const jobs = Array.from({ length: 2_345 }, (_, index) =>
    jobOf(index, index % 7 === 0 ? { relativePath: 'a/"b"' } : {}),
  );
  await port.save(state(jobs));
  expect(await readFile(path, 'utf8')).toBe(JSON.stringify({ version: 1, generation: 1, jobs }));
  expect((await createJsonFilePersistence(path).load())?.jobs).toEqual(jobs);
  await port.save(state([]));
  expect(await readFile(path, 'utf8')).toBe(JSON.stringify({ version: 1, generation: 2, jobs: [] }));
});
