// Recorders (mp4, mov, wav, mkv) close a file in one burst: the header at the start is rewritten with
// the final sizes and a trailer is appended. The file grows, so it looks like any other growth; the
// bytes already sent hold the stale header. What lands must be the final file, byte for byte.
import { randomBytes } from 'node:crypto';
import { appendFile, open, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server as TusServer } from '@tus/server';
import { afterEach, expect, it, vi } from 'vitest';
import { createReceiver } from '../receiver/server';
import { createMemoryPersistence } from './queue-persistence';
import { KiB, makeTempDir, removeDir, sha256 } from '../../../test/support/sender-test-kit';
import { createTusClient } from './tus-client';
import { createUploadPool, type UploadPool } from './upload-pool';
import { createUploadQueue } from './upload-queue';

let dir: string | undefined;
let pool: UploadPool | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await pool?.close();
  for (const close of closers.splice(0)) await close();
  await removeDir(dir);
  pool = dir = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const headerBytes = 64;

/**
 * Records into `source` while the pool sends it: appends for a while, waits until everything so far
 * (the provisional header included) is on the target, then closes as a recorder does. Returns the
 * final content of the file.
 */
async function recordAndClose(
  endpoint: string,
  source: string,
): Promise<{ content: Buffer; jobId: string; queue: ReturnType<typeof createUploadQueue> }> {
  let content = Buffer.concat([Buffer.alloc(headerBytes, 'h'), randomBytes(200 * KiB)]);
  await writeFile(source, content);
  const queue = createUploadQueue(createMemoryPersistence());
  const [job] = (await queue.add([source], { endpoint }, { growing: true })).added;
  pool = createUploadPool(queue, createTusClient(), { chunkSize: 128 * KiB, growingQuietMs: 700 });
  pool.start();
  for (let i = 0; i < 5; i++) {
    await sleep(80);
    const piece = randomBytes(100 * KiB + i);
    content = Buffer.concat([content, piece]);
    await appendFile(source, piece);
  }
  await vi.waitFor(() => expect(queue.get(job!.id)!.acknowledged).toBe(content.length), {
    timeout: 10_000,
    interval: 10,
  });
  // Close: the final header over the provisional one, and the trailer, in one burst.
  const header = randomBytes(headerBytes);
  const trailer = randomBytes(3 * KiB);
  const handle = await open(source, 'r+');
  await handle.write(header, 0, headerBytes, 0);
  await handle.write(trailer, 0, trailer.length, content.length);
  await handle.close();
  content = Buffer.concat([header, content.subarray(headerBytes), trailer]);
  // Compared by digest: a deep compare of large buffers would hold the event loop for seconds.
  expect(sha256(await readFile(source))).toBe(sha256(content));
  return { content, jobId: job!.id, queue };
}

it(
  "a header rewritten as the file grows at close lands as the final file on Ferry's receiver",
  { timeout: 30_000 },
  async () => {
    dir = await makeTempDir('growing-rewrite-ferry');
    const receiver = createReceiver({ dir: join(dir, 'received'), token: null, logger: false, durable: false });
    closers.push(() => receiver.close());
    const { url } = await receiver.listen();
    const { content, jobId, queue } = await recordAndClose(`${url}/files/`, join(dir, 'take.mov'));
    await pool!.whenIdle();
    expect(queue.get(jobId)).toMatchObject({ status: 'completed', size: content.length, sha256: sha256(content) });
    expect(sha256(await readFile(join(dir, 'received', 'take.mov')))).toBe(sha256(content));
  },
);

it(
  'a header rewritten as the file grows at close lands as the final file on @tus/server',
  { timeout: 30_000 },
  async () => {
    dir = await makeTempDir('growing-rewrite-tus');
    const storeDir = join(dir, 'store');
    const tus = new TusServer({ path: '/files', datastore: new FileStore({ directory: storeDir }) });
    const http: HttpServer = createServer((req, res) => void tus.handle(req, res));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    });
    const { content, jobId, queue } = await recordAndClose(
      `http://127.0.0.1:${(http.address() as AddressInfo).port}/files/`,
      join(dir, 'take.wav'),
    );
    await pool!.whenIdle();
    const job = queue.get(jobId)!;
    expect(job).toMatchObject({ status: 'completed', size: content.length });
    const id = new URL(job.uploadUrl!).pathname.split('/').pop()!;
    expect(sha256(await readFile(join(storeDir, id)))).toBe(sha256(content));
  },
);

it(
  "a resumed recording closed while the sender was stopped lands as the final file on Ferry's receiver",
  { timeout: 30_000 },
  async () => {
    dir = await makeTempDir('growing-rewrite-resume');
    const receiver = createReceiver({ dir: join(dir, 'received'), token: null, logger: false, durable: false });
    closers.push(() => receiver.close());
    const { url } = await receiver.listen();
    const source = join(dir, 'take.mkv');
    let content = Buffer.concat([Buffer.alloc(headerBytes, 'h'), randomBytes(300 * KiB)]);
    await writeFile(source, content);
    const queue = createUploadQueue(createMemoryPersistence());
    const [added] = (await queue.add([source], { endpoint: `${url}/files/` }, { growing: true })).added;
    const job = () => queue.get(added!.id);
    pool = createUploadPool(queue, createTusClient(), { chunkSize: 128 * KiB, growingQuietMs: 60_000 });
    pool.start();
    await vi.waitFor(() => expect(job()!.acknowledged).toBe(content.length), { timeout: 10_000, interval: 10 });
    await pool.close();

    // Closed while nothing watched it: the sent prefix is stale, and the file grew.
    const header = randomBytes(headerBytes);
    const trailer = randomBytes(2 * KiB);
    const handle = await open(source, 'r+');
    await handle.write(header, 0, headerBytes, 0);
    await handle.write(trailer, 0, trailer.length, content.length);
    await handle.close();
    content = Buffer.concat([header, content.subarray(headerBytes), trailer]);

    pool = createUploadPool(queue, createTusClient(), { chunkSize: 128 * KiB, growingQuietMs: 500 });
    pool.start();
    await pool.whenIdle();
    expect(job()).toMatchObject({ status: 'completed', size: content.length, sha256: sha256(content) });
    expect(sha256(await readFile(join(dir, 'received', 'take.mkv')))).toBe(sha256(content));
  },
);
