// Small files to Ferry's receiver go many to a request (`bulk-upload`): every one lands byte for byte
// under its own name and folder, in far fewer requests than files; other servers get one each.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server as TusServer } from '@tus/server';
import { afterEach, expect, it } from 'vitest';
import type { ProgressEvent } from '../../shared/progress-event';
import { createProgressHub } from '../progress';
import { createReceiver, type Receiver } from '../receiver/server';
import { KiB, makeTempDir, removeDir, sha256, writeRandomFile } from '../../../test/support/sender-test-kit';
import { createMemoryPersistence } from './queue-persistence';
import { createTusClient } from './tus-client';
import { createUploadPool, type PoolOptions, type UploadPool } from './upload-pool';
import { createUploadQueue, type UploadQueue } from './upload-queue';

let dir: string | undefined;
let pool: UploadPool | undefined;
let receiver: Receiver | undefined;
let tusHttp: HttpServer | undefined;
afterEach(async () => {
  await pool?.close();
  await receiver?.close();
  if (tusHttp) await new Promise((resolve) => tusHttp!.close(resolve));
  await removeDir(dir);
  pool = receiver = dir = tusHttp = undefined;
});

/** `count` small files of assorted sizes (an empty one among them), a third of them two folders down. */
async function smallTree(root: string, count: number): Promise<Map<string, string>> {
  const expected = new Map<string, string>();
  await mkdir(join(root, 'tree', 'a', 'b'), { recursive: true });
  for (let i = 0; i < count; i++) {
    const relative = i % 3 === 0 ? `tree/a/b/f${i}.bin` : `tree/f${i}.bin`;
    expected.set(relative, await writeRandomFile(join(root, relative), i === 7 ? 0 : ((i * 997) % (20 * KiB)) + 1));
  }
  return expected;
}

async function sendAll(queue: UploadQueue, options: PoolOptions = {}): Promise<void> {
  pool = createUploadPool(queue, createTusClient(), { concurrency: 4, retryDelays: [0, 50], ...options });
  pool.start();
  await pool.whenIdle();
}

/** Requests the receiver counted, all methods. */
async function requestCount(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return [...text.matchAll(/^ferry_requests_total\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

it(
  'sends 200 small files in a handful of requests, each landing byte for byte in its folder',
  { timeout: 30_000 },
  async () => {
    dir = await makeTempDir('bulk-send');
    const expected = await smallTree(join(dir, 'src'), 200);
    receiver = createReceiver({ dir: join(dir, 'recv'), token: null, logger: false, durable: false });
    const { url } = await receiver.listen();
    const queue = createUploadQueue(createMemoryPersistence());
    await queue.add([join(dir, 'src', 'tree')], { endpoint: `${url}/files/` });
    const hub = createProgressHub();
    const events: ProgressEvent[] = [];
    hub.subscribe((event) => events.push(event));
    await sendAll(queue, { hub });

    const jobs = queue.list();
    // A file that landed in a batch is two events: running (as it is claimed), completed with all its bytes.
    for (const job of jobs)
      expect(events.filter((e) => e.uploadId === job.id).map((e) => [e.status, e.offset])).toEqual([
        ['running', 0],
        ['completed', job.size],
      ]);
    expect(jobs.every((job) => job.status === 'completed')).toBe(true);
    // The receiver checked each file's sha256 before it landed, and said so.
    expect(jobs.every((job) => job.sha256Confirmed === true && job.sha256 === expected.get(job.relativePath!))).toBe(
      true,
    );
    for (const [relative, hash] of expected) expect(sha256(await readFile(join(dir, 'recv', relative)))).toBe(hash);
    // OPTIONS, a few bulk requests (64 files at most each), maybe a straggler alone; not one per file.
    const requests = (await requestCount(url)) - 1;
    expect(requests).toBeLessThan(20);
  },
);

it(
  'a pause and a cancel inside a batch stop those two jobs only; the rest land once',
  { timeout: 30_000 },
  async () => {
    dir = await makeTempDir('bulk-stop');
    const expected = await smallTree(join(dir, 'src'), 40);
    receiver = createReceiver({ dir: join(dir, 'recv'), token: null, logger: false, durable: false });
    const { url } = await receiver.listen();
    const queue = createUploadQueue(createMemoryPersistence());
    await queue.add([join(dir, 'src', 'tree')], { endpoint: `${url}/files/` });
    // Slow enough that the batch is still on the wire when the two are stopped.
    pool = createUploadPool(queue, createTusClient(), { concurrency: 1, rateLimit: 200 * KiB, retryDelays: [0] });
    pool.start();
    const [, paused, , canceled] = queue.list();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(queue.get(paused!.id)?.status).toBe('running');
    pool.pause(paused!.id);
    await pool.cancel(canceled!.id);
    await pool.whenIdle();
    expect(queue.get(paused!.id)?.status).toBe('paused');
    expect(queue.get(canceled!.id)?.status).toBe('canceled');
    const rest = queue.list().filter((job) => job.id !== paused!.id && job.id !== canceled!.id);
    expect(rest.every((job) => job.status === 'completed')).toBe(true);
    for (const job of rest)
      expect(sha256(await readFile(join(dir, 'recv', job.relativePath!)))).toBe(expected.get(job.relativePath!));

    // Resumed, the paused one lands too, once (it may have landed before the pause took hold).
    pool.resume(paused!.id);
    await pool.whenIdle();
    expect(queue.get(paused!.id)?.status).toBe('completed');
    const { listFiles } = await import('../../../test/support/tus-test-client');
    const landed = await listFiles(join(dir, 'recv'));
    expect(landed.filter((file) => / \(\d+\)/.test(file))).toEqual([]);
  },
);

it(
  'a recheck of a file landed in bulk finds it by its key, and sends it again where it is gone',
  { timeout: 30_000 },
  async () => {
    dir = await makeTempDir('bulk-recheck');
    const expected = await smallTree(join(dir, 'src'), 5);
    receiver = createReceiver({ dir: join(dir, 'recv'), token: null, logger: false, durable: false });
    const { url } = await receiver.listen();
    const queue = createUploadQueue(createMemoryPersistence());
    await queue.add([join(dir, 'src', 'tree')], { endpoint: `${url}/files/` });
    await sendAll(queue);
    const [first, second] = queue.list();
    expect(first!.uploadUrl).toBeUndefined();

    pool!.recheck(first!.id);
    await pool!.whenIdle();
    expect(pool!.outcome(first!.id)).toBe('already-there');

    await rm(join(dir, 'recv', second!.relativePath!));
    pool!.recheck(second!.id);
    await pool!.whenIdle();
    expect(pool!.outcome(second!.id)).toBe('sent');
    expect(sha256(await readFile(join(dir, 'recv', second!.relativePath!)))).toBe(expected.get(second!.relativePath!));
    const { listFiles } = await import('../../../test/support/tus-test-client');
    expect((await listFiles(join(dir, 'recv'))).length).toBe(5);
  },
);

it(
  '@tus/server, which has no bulk-upload, gets one creation-with-upload per small file',
  { timeout: 30_000 },
  async () => {
    dir = await makeTempDir('bulk-tus-server');
    const expected = await smallTree(join(dir, 'src'), 12);
    const store = join(dir, 'tus-store');
    await mkdir(store, { recursive: true });
    const tus = new TusServer({ path: '/files', datastore: new FileStore({ directory: store }) });
    const requests: string[] = [];
    tusHttp = createServer((req, res) => {
      requests.push(
        `${req.method} ${new URL(req.url ?? '/', 'http://x').pathname.replace(/\/files\/.+/, '/files/:id')}`,
      );
      void tus.handle(req, res);
    });
    await new Promise<void>((resolve) => tusHttp!.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(tusHttp.address() as AddressInfo).port}/files`;
    const queue = createUploadQueue(createMemoryPersistence());
    await queue.add([join(dir, 'src', 'tree')], { endpoint });
    await sendAll(queue);

    expect(queue.list().every((job) => job.status === 'completed')).toBe(true);
    expect(requests.filter((r) => r === 'POST /files')).toHaveLength(expected.size);
    expect(requests.filter((r) => r.includes('/upload'))).toEqual([]);
    // The empty file's creation carries no body; every other one is whole in its POST: no PATCH.
    expect(requests.filter((r) => r.startsWith('PATCH'))).toEqual([]);
  },
);

it(
  'closed mid-batch and started again, each file lands once: the keys sent are asked for first',
  { timeout: 30_000 },
  async () => {
    dir = await makeTempDir('bulk-close');
    const expected = await smallTree(join(dir, 'src'), 30);
    receiver = createReceiver({ dir: join(dir, 'recv'), token: null, logger: false, durable: false });
    const { url } = await receiver.listen();
    const queue = createUploadQueue(createMemoryPersistence());
    await queue.add([join(dir, 'src', 'tree')], { endpoint: `${url}/files/` });
    pool = createUploadPool(queue, createTusClient(), { concurrency: 1, rateLimit: 100 * KiB, retryDelays: [0] });
    pool.start();
    await new Promise((resolve) => setTimeout(resolve, 600));
    await pool.close();
    const sentBefore = queue.list().filter((job) => job.sha256 !== undefined && job.status !== 'completed');
    expect(sentBefore.length).toBeGreaterThan(0);

    await sendAll(queue);
    expect(queue.list().every((job) => job.status === 'completed')).toBe(true);
    const { listFiles } = await import('../../../test/support/tus-test-client');
    expect(await listFiles(join(dir, 'recv'))).toEqual([...expected.keys()].sort());
    for (const [relative, hash] of expected) expect(sha256(await readFile(join(dir, 'recv', relative)))).toBe(hash);
  },
);

it('settles a 64-file answer across turns of the event loop, not all 64 jobs in one', { timeout: 30_000 }, async () => {
  dir = await makeTempDir('bulk-turns');
  await mkdir(join(dir, 'src', 'many'), { recursive: true });
  for (let i = 0; i < 64; i++) await writeRandomFile(join(dir, 'src', 'many', `f${i}.bin`), 1000 + i);
  receiver = createReceiver({ dir: join(dir, 'recv'), token: null, logger: false, durable: false });
  const { url } = await receiver.listen();
  const queue = createUploadQueue(createMemoryPersistence());
  await queue.add([join(dir, 'src', 'many')], { endpoint: `${url}/files/` });
  const completed = () => queue.list().filter((job) => job.status === 'completed').length;
  // When the first job of the answer completes, how many more complete before the loop turns once.
  let inFirstTurn: number | undefined;
  queue.onChange(() => {
    if (inFirstTurn !== undefined || completed() === 0) return;
    inFirstTurn = -1;
    setImmediate(() => (inFirstTurn = completed()));
  });
  // One slot: the 64 files go in one request, answered at once.
  await sendAll(queue, { concurrency: 1 });
  await new Promise((resolve) => setImmediate(resolve));
  expect(completed()).toBe(64);
  expect(inFirstTurn).toBeGreaterThan(0);
  expect(inFirstTurn).toBeLessThanOrEqual(16);
});
