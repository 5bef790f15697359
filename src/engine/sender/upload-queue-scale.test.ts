// A 10,000-file queue is added, persisted and restored; time and memory are printed so the figures
// can be tracked, and bounded generously so a real regression (quadratic add, bloated state) fails.
// Then 100,000 jobs in ten adds: the last add must cost about what the first did, and the bytes
// written about what the queue holds, or something grows with the queue's size.
import { writeFileSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createJsonFilePersistence, type QueuePersistence } from './queue-persistence';
import { createUploadQueue } from './upload-queue';

const count = 10_000;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ferry-queue-10k-'));
  // Synchronous writes in a loop: the fastest way to lay down many tiny files.
  for (let folder = 0; folder < 100; folder++) {
    const path = join(root, 'batch', `folder-${String(folder).padStart(3, '0')}`);
    mkdirSync(path, { recursive: true });
    for (let file = 0; file < count / 100; file++)
      writeFileSync(join(path, `file-${String(file).padStart(3, '0')}.txt`), `${folder}:${file}`);
  }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const megabytes = (bytes: number) => Number((bytes / 1024 / 1024).toFixed(1));
const since = (start: number) => Number((performance.now() - start).toFixed(0));

// A collection before each reading makes the heap figures mean "still reachable", not "not yet swept".
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function memory() {
  gc();
  return process.memoryUsage();
}

it('adds, persists and restores 10,000 files exactly, in bounded time and memory', { timeout: 120_000 }, async () => {
  const statePath = join(root, 'state', 'queue.json');
  const target = { endpoint: 'http://127.0.0.1:9/files/', headers: { authorization: 'Bearer token' } };
  const baseline = memory();

  let start = performance.now();
  const queue = createUploadQueue(createJsonFilePersistence(statePath));
  const result = await queue.add([join(root, 'batch')], target);
  const addMs = since(start);
  expect(result.added).toHaveLength(count);
  expect(result.skipped).toEqual([]);
  // A few states a real queue would hold, so the round trip covers more than "queued".
  queue.update(result.added[0]!.id, { status: 'completed', acknowledged: 5, sent: 5, finishedAt: 1 });
  queue.update(result.added[1]!.id, {
    status: 'running',
    acknowledged: 1,
    sent: 2,
    uploadUrl: 'http://127.0.0.1:9/files/x',
  });
  queue.update(result.added[2]!.id, { status: 'failed', error: { code: 'HTTP_403', message: 'no' } });
  queue.move(result.added[count - 1]!.id, 0);

  start = performance.now();
  await queue.flush();
  const saveMs = since(start);
  const stateBytes = (await stat(statePath)).size;
  const afterAdd = memory();

  start = performance.now();
  const restored = createUploadQueue(createJsonFilePersistence(statePath));
  await restored.restore();
  const restoreMs = since(start);
  const afterRestore = memory();

  // Duplicate detection over the whole restored queue: nothing is queued twice.
  start = performance.now();
  const again = await restored.add([join(root, 'batch')], target);
  const dedupeMs = since(start);
  expect(again.added).toHaveLength(0);
  expect(again.duplicates).toHaveLength(count);

  const figures = {
    files: count,
    addMs,
    saveMs,
    restoreMs,
    reAddAllDuplicatesMs: dedupeMs,
    stateFileMB: megabytes(stateBytes),
    heapDeltaAfterAddMB: megabytes(afterAdd.heapUsed - baseline.heapUsed),
    heapDeltaAfterRestoreMB: megabytes(afterRestore.heapUsed - baseline.heapUsed),
    rssDeltaMB: megabytes(afterRestore.rss - baseline.rss),
    rssMB: megabytes(afterRestore.rss),
  };
  console.log('10k queue', figures);

  const original = queue.list();
  const copy = restored.list();
  expect(copy).toHaveLength(count);
  expect(copy.map((job) => job.id)).toEqual(original.map((job) => job.id));
  const expected = original.map((job) =>
    job.status === 'running' ? { ...job, status: 'queued', phase: undefined } : job,
  );
  expect(copy).toEqual(expected);
  expect(new Set(copy.map((job) => job.relativePath)).size).toBe(count);
  expect(copy.every((job) => job.relativePath?.startsWith('batch/folder-'))).toBe(true);

  expect(addMs).toBeLessThan(20_000);
  expect(saveMs).toBeLessThan(5_000);
  expect(restoreMs).toBeLessThan(5_000);
  expect(afterRestore.heapUsed - baseline.heapUsed).toBeLessThan(150 * 1024 * 1024);
});

/** The port, with the time spent in it and the bytes it put on disk (its snapshot and journal) counted. */
function measuredPort(statePath: string) {
  const port = createJsonFilePersistence(statePath);
  const sizeOf = (path: string) =>
    stat(path).then(
      (info) => info.size,
      () => 0,
    );
  const figures = { ms: 0, written: 0, saves: 0 };
  const measure = async (save: () => Promise<void>) => {
    const [snapshotBefore, journalBefore] = [await sizeOf(statePath), await sizeOf(`${statePath}.journal`)];
    const start = performance.now();
    try {
      await save();
    } finally {
      figures.ms += performance.now() - start;
      figures.saves += 1;
      const [snapshotAfter, journalAfter] = [await sizeOf(statePath), await sizeOf(`${statePath}.journal`)];
      // An append grows the journal; a compaction writes a new snapshot and empties the journal.
      figures.written +=
        journalAfter >= journalBefore && snapshotAfter === snapshotBefore
          ? journalAfter - journalBefore
          : snapshotAfter;
    }
  };
  const measured: QueuePersistence = {
    load: () => port.load(),
    save: (state) => measure(() => port.save(state)),
    saveChanges: (changes, current) => measure(() => port.saveChanges!(changes, current)),
  };
  return {
    port: measured,
    figures,
    stored: async () => (await sizeOf(statePath)) + (await sizeOf(`${statePath}.journal`)),
  };
}

it('adds 100,000 jobs in ten adds whose cost does not grow with the queue', { timeout: 180_000 }, async () => {
  const rounds = 10;
  const statePath = join(root, 'state-100k', 'queue.json');
  const target = { endpoint: 'http://127.0.0.1:9/files/', headers: { authorization: 'Bearer token' } };
  const { port, figures, stored } = measuredPort(statePath);
  const baseline = memory();
  const queue = createUploadQueue(port);
  await queue.restore();
  // Time spent outside the port, per add: walking, a stat per file, the indexes, the duplicate check.
  const addMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const portBefore = figures.ms;
    const start = performance.now();
    const { added } = await queue.add([join(root, 'batch')], target, { allowDuplicates: true });
    addMs.push(performance.now() - start - (figures.ms - portBefore));
    expect(added).toHaveLength(count);
  }
  await queue.flush();
  const held = memory();
  const bytesPerJob = (held.heapUsed - baseline.heapUsed) / queue.list().length;
  const storedBytes = await stored();
  console.log('100k queue', {
    addMs: addMs.map((ms) => Math.round(ms)),
    portMs: Math.round(figures.ms),
    saves: figures.saves,
    writtenMB: megabytes(figures.written),
    storedMB: megabytes(storedBytes),
    heapBytesPerJob: Math.round(bytesPerJob),
  });

  expect(queue.list()).toHaveLength(rounds * count);
  // Per file, the tenth add must not cost much more than the first: the faster of the first two
  // against the faster of the last two, with room for a busy machine. A cost that grew with the
  // queue would make the last ones about 19 times slower.
  const first = Math.min(addMs[0]!, addMs[1]!);
  const last = Math.min(addMs[rounds - 2]!, addMs[rounds - 1]!);
  expect(last).toBeLessThan(4 * first + 500);
  // Journal lines hold only what changed and a compaction happens once the journal outgrows the
  // snapshot, so writes add up to a few times what is stored; a whole save each time would be 5.5 times.
  expect(figures.written).toBeLessThan(4 * storedBytes);
  // Today about 700 bytes per job (the job, its indexes and its place in the order).
  expect(bytesPerJob).toBeLessThan(1_000);

  // The next run holds them all again.
  const restored = createUploadQueue(createJsonFilePersistence(statePath));
  await restored.restore();
  expect(restored.list().map((job) => job.id)).toEqual(queue.list().map((job) => job.id));
});
