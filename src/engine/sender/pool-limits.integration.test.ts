// Concurrency limits must hold through pause, resume and retry storms (Cyberduck forgets its limit
// after pause/resume). Observed where it matters: requests in flight at the server.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { createUploadPool, type UploadPool } from './upload-pool';
import { createMemoryPersistence } from './queue-persistence';
import { createTusClient } from './tus-client';
import { createUploadQueue } from './upload-queue';
import {
  MiB,
  KiB,
  makeTempDir,
  removeDir,
  seededRandom,
  sha256,
  startTinyTus,
  writeRandomFile,
  type TinyTusServer,
} from '../../../test/support/sender-test-kit';

let dir: string | undefined;
let server: TinyTusServer | undefined;
let pool: UploadPool | undefined;
afterEach(async () => {
  await pool?.close();
  await server?.close();
  await removeDir(dir);
  pool = server = dir = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('never runs more than 3 files at the server through a 4 s pause/resume/retry storm, and uploads each file once', async () => {
  const seed = Number(process.env.FERRY_STORM_SEED ?? Date.now() % 100_000);
  const random = seededRandom(seed);
  console.log(`storm seed ${seed} (replay with FERRY_STORM_SEED=${seed})`);
  dir = await makeTempDir('storm');
  await mkdir(join(dir, 'storm'));
  const hashes = new Map<string, string>();
  for (let i = 0; i < 12; i++) {
    const name = `file-${String(i).padStart(2, '0')}.bin`;
    hashes.set(`storm/${name}`, await writeRandomFile(join(dir, 'storm', name), 2 * MiB + i * 1_000));
  }

  let finals = 0;
  server = await startTinyTus({
    fault: ({ method }) => {
      const roll = random();
      // A few final errors: those jobs fail, and the storm's retry brings them back.
      if (method === 'PATCH' && roll < 0.04 && finals < 4) return (finals++, { status: 403 });
      if (roll < 0.12) return { status: 500 };
      if (roll < 0.14) return { status: 423 };
      return undefined;
    },
  });
  const queue = createUploadQueue(createMemoryPersistence());
  const { added } = await queue.add([join(dir, 'storm')], { endpoint: server.endpoint });
  expect(added).toHaveLength(12);
  // The pool's own limit keeps files in flight for seconds so the storm hits running jobs; the server
  // reads at full speed, so it sees an aborted request end at once (a server that stops reading a
  // socket does not notice the client leaving).
  pool = createUploadPool(queue, createTusClient(), {
    concurrency: 3,
    chunkSize: 256 * KiB,
    retryDelays: [0, 20, 50],
    maxAttempts: 50,
    rateLimit: 3 * MiB,
  });
  pool.start();

  const trace: [number, string, string, string][] = [];
  const note = (kind: string, what: string, detail: string) =>
    trace.push([Math.round(server!.now()), kind, what, detail]);
  pool.hub.subscribe((event) => {
    if (event.status !== 'running' || event.offset === 0)
      note('#', event.status, `${event.context.filename} ${event.offset}`);
  });
  // On failure, show the server's view interleaved with what the storm did.
  const story = () =>
    [...server!.events, ...trace]
      .sort((a, b) => a[0] - b[0])
      .slice(-40)
      .map((entry) => entry.join(' '))
      .join('\n');

  let maxActive = 0;
  const actions: Record<string, number> = {};
  const ids = added.map((job) => job.id);
  const pick = () => ids[Math.floor(random() * ids.length)]!;
  // Pausing a running job is what frees a slot, so aim there most of the time.
  const pickRunning = () => {
    const running = queue.list().filter((job) => job.status === 'running');
    return running.length > 0 && random() < 0.8 ? running[Math.floor(random() * running.length)]!.id : pick();
  };
  const storm: [string, () => void][] = [
    ['pause one', () => pool!.pause(pickRunning())],
    ['resume one', () => pool!.resume(pick())],
    ['pause all', () => pool!.pause()],
    ['resume all', () => pool!.resume()],
    ['retry all', () => pool!.retry()],
    ['retry one', () => pool!.retry(pick())],
    ['pause one, resume another', () => (pool!.pause(pickRunning()), pool!.resume(pick()))],
  ];
  for (const deadline = Date.now() + 4_000; Date.now() < deadline;) {
    const [name, act] = storm[Math.floor(random() * storm.length)]!;
    act();
    note('!', name, `active=${pool.activeCount()}`);
    actions[name] = (actions[name] ?? 0) + 1;
    maxActive = Math.max(maxActive, pool.activeCount());
    expect(server.stats.maxFiles, story()).toBeLessThanOrEqual(3);
    await sleep(20 + random() * 80);
    maxActive = Math.max(maxActive, pool.activeCount());
  }

  // Calm down: resume and retry everything until the whole queue is done. More than one round can be
  // needed: a resume that lands while a paused job is still stopping is lost (see the report).
  let rounds = 0;
  for (; rounds < 10 && !queue.list().every((job) => job.status === 'completed'); rounds++) {
    pool.resume();
    pool.retry();
    await pool.whenIdle();
    await sleep(50);
  }
  console.log('storm', { seed, rounds, actions, server: { ...server.stats, timeline: undefined } });

  expect(queue.list().map((job) => [job.relativePath, job.status])).toEqual(
    queue.list().map((job) => [job.relativePath, 'completed']),
  );
  expect(maxActive).toBeLessThanOrEqual(3);
  expect(server.stats.maxInFlight).toBeLessThanOrEqual(3);
  expect(server.stats.maxFiles).toBeLessThanOrEqual(3);
  // The storm did hit: faults were answered and concurrency was actually used.
  expect(server.stats.faults).toBeGreaterThan(0);
  expect(server.stats.maxFiles).toBe(3);

  const completed = server.completedByName();
  expect([...completed.keys()].sort()).toEqual([...hashes.keys()].sort());
  for (const [name, hash] of hashes) {
    const uploads = completed.get(name)!;
    expect(uploads, `${name} completed more than once`).toHaveLength(1);
    expect(sha256(Buffer.concat(uploads[0]!.chunks)), name).toBe(hash);
  }
  // Each job points at the one upload that completed for it.
  for (const job of queue.list())
    expect(job.uploadUrl?.endsWith(`/files/${completed.get(job.relativePath!)![0]!.id}`), job.name).toBe(true);
  // Uploads a pause cut off during their creation POST are left behind unfinished; count them.
  console.log('storm uploads', { created: server.uploads.size, completed: completed.size });
});

it('follows a lower concurrency set while files run: new files start only one at a time', async () => {
  dir = await makeTempDir('resize');
  for (let i = 0; i < 8; i++) await writeRandomFile(join(dir, `r-${i}.bin`), 1 * MiB);
  server = await startTinyTus();
  const queue = createUploadQueue(createMemoryPersistence());
  await queue.add([dir], { endpoint: server.endpoint });
  pool = createUploadPool(queue, createTusClient(), { concurrency: 4, chunkSize: 256 * KiB, rateLimit: 2 * MiB });
  pool.start();
  await sleep(300);
  expect(server.stats.maxFiles).toBe(4);
  const loweredAt = server.now();
  pool.setConcurrency(1);
  // Files already running finish their course; every file started later runs alone.
  await pool.whenIdle();
  expect(queue.list().every((job) => job.status === 'completed')).toBe(true);
  const spans = [...server.spans.entries()];
  const late = spans.filter(([, span]) => span.first > loweredAt);
  expect(late.length).toBeGreaterThanOrEqual(3);
  for (const [name, span] of late) {
    const overlapping = spans
      .filter(([other, o]) => other !== name && o.first < span.last && o.last > span.first)
      .map(([other]) => other);
    expect(overlapping, `${name} overlapped`).toEqual([]);
  }
});

// pause() must mark a running job at once: a resume() right after, before the transfer has unwound,
// would otherwise find nothing paused and be lost.
it('a resume right after pausing a running job is not lost', async () => {
  dir = await makeTempDir('lost-resume');
  await writeRandomFile(join(dir, 'a.bin'), 4 * MiB);
  server = await startTinyTus();
  const queue = createUploadQueue(createMemoryPersistence());
  await queue.add([join(dir, 'a.bin')], { endpoint: server.endpoint });
  pool = createUploadPool(queue, createTusClient(), { chunkSize: 1 * MiB, rateLimit: 2 * MiB });
  pool.start();
  await vi.waitFor(() => expect(server!.stats.requests.PATCH).toBeGreaterThan(0));
  expect(queue.list()[0]!.status).toBe('running');
  pool.pause();
  pool.resume();
  await sleep(300);
  expect(queue.list()[0]!.status).toBe('running');
});
