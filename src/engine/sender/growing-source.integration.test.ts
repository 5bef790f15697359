// A source still being written (a recording, a log) is sent as it grows, under creation-defer-length,
// and its length is declared once it has stood still: to Ferry's receiver (sealed with the whole
// file's sha256) and to @tus/server (a plain upload of deferred length).
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, open, writeFile } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server as TusServer } from '@tus/server';
import { afterEach, expect, it, vi } from 'vitest';
import type { ProgressEvent } from '../../shared/progress-event';
import { createReceiver, type Receiver } from '../receiver/server';
import { createMemoryPersistence } from './queue-persistence';
import { createTusClient } from './tus-client';
import { createUploadPool, type UploadPool } from './upload-pool';
import { createUploadQueue } from './upload-queue';
import { KiB, makeTempDir, removeDir, sha256File } from '../../../test/support/sender-test-kit';

let dir: string | undefined;
let pool: UploadPool | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await pool?.close();
  for (const close of closers.splice(0)) await close();
  await removeDir(dir);
  pool = dir = undefined;
});

const quietMs = 700;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Ferry receiver in a new temporary folder, closed after the test; files land in `received`. */
async function startFerryReceiver(label: string) {
  dir = await makeTempDir(label);
  const received = join(dir, 'received');
  const receiver: Receiver = createReceiver({ dir: received, token: null, logger: false, durable: false });
  closers.push(() => receiver.close());
  const { url } = await receiver.listen();
  return { receiver, received, endpoint: `${url}/files/` };
}

/** A queue holding `source` as one growing job, and a way to read that job as it is now. */
async function queueGrowing(source: string, endpoint: string) {
  const queue = createUploadQueue(createMemoryPersistence());
  const [added] = (await queue.add([source], { endpoint }, { growing: true })).added;
  return { queue, job: () => queue.get(added!.id) };
}

/** Starts a file, sends it as growing, and appends to it while the pool runs. */
async function sendWhileWriting(endpoint: string) {
  const source = join(dir!, 'recording.bin');
  const pieces = [randomBytes(300 * KiB)];
  await writeFile(source, pieces[0]!);
  const { queue, job } = await queueGrowing(source, endpoint);
  pool = createUploadPool(queue, createTusClient(), { chunkSize: 256 * KiB, growingQuietMs: quietMs });
  const events: ProgressEvent[] = [];
  pool.hub.subscribe((event) => void events.push(event));
  pool.start();
  for (let i = 0; i < 8; i++) {
    await sleep(120);
    const piece = randomBytes(150 * KiB + i);
    pieces.push(piece);
    await appendFile(source, piece);
  }
  const stoppedWritingAt = Date.now();
  await pool.whenIdle();
  const content = Buffer.concat(pieces);
  // The job as it ended: the queue replaces a job on every change.
  const done = job()!;
  return {
    job: done,
    content,
    sha256: createHash('sha256').update(content).digest('hex'),
    stoppedWritingAt,
    finishedAfterMs: done.finishedAt! - stoppedWritingAt,
    events,
  };
}

it(
  "follows a growing file into Ferry's receiver and seals it with its sha256 once it stops growing",
  { timeout: 30_000 },
  async () => {
    const { receiver, received, endpoint } = await startFerryReceiver('growing-ferry');
    const sent = await sendWhileWriting(endpoint);

    expect(sent.job).toMatchObject({ status: 'completed', size: sent.content.length, sha256: sent.sha256 });
    expect(await sha256File(join(received, 'recording.bin'))).toBe(sent.sha256);
    // Not declared before the file stood still for the quiet period.
    expect(sent.finishedAfterMs).toBeGreaterThanOrEqual(quietMs - 50);
    const uploads = await receiver.store.list();
    const partial = uploads.find((info) => info.concat?.kind === 'partial')!;
    expect(partial.length).toBe(sent.content.length);
    expect(uploads.find((info) => info.concat?.kind === 'final')?.metadata.sha256).toBe(sent.sha256);
    // The sender's progress has no length while the file grows, then the real one.
    const mine = sent.events.filter((event) => event.uploadId === sent.job.id);
    expect(mine.some((event) => event.status === 'running' && event.length === null && event.offset > 0)).toBe(true);
    expect(mine.at(-1)).toMatchObject({
      status: 'completed',
      length: sent.content.length,
      offset: sent.content.length,
    });
  },
);

it('sends a growing file to @tus/server as a plain upload of deferred length', { timeout: 30_000 }, async () => {
  dir = await makeTempDir('growing-tus');
  const storeDir = join(dir, 'store');
  const tus = new TusServer({ path: '/files', datastore: new FileStore({ directory: storeDir }) });
  const http: HttpServer = createServer((req, res) => void tus.handle(req, res));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
  const sent = await sendWhileWriting(`http://127.0.0.1:${(http.address() as AddressInfo).port}/files/`);

  expect(sent.job).toMatchObject({ status: 'completed', size: sent.content.length });
  expect(sent.job.parts).toBeUndefined();
  const id = new URL(sent.job.uploadUrl!).pathname.split('/').pop()!;
  expect(await sha256File(join(storeDir, id))).toBe(sent.sha256);
});

it(
  'resumes a growing upload after the sender stops, and starts over if the file shrinks',
  { timeout: 30_000 },
  async () => {
    const { receiver, received, endpoint } = await startFerryReceiver('growing-resume');
    const source = join(dir!, 'log.bin');
    let content = randomBytes(600 * KiB);
    await writeFile(source, content);
    const { queue, job } = await queueGrowing(source, endpoint);
    const options = { chunkSize: 128 * KiB, growingQuietMs: 60_000 };

    // First run: everything that exists is sent, then the sender stops while the file is still "live".
    pool = createUploadPool(queue, createTusClient(), options);
    pool.start();
    await vi.waitFor(() => expect(job()!.acknowledged).toBe(content.length), { timeout: 10_000, interval: 20 });
    const firstUpload = job()!.uploadUrl;
    await pool.close();

    // Second run: the same upload continues with what was appended meanwhile.
    const more = randomBytes(200 * KiB);
    await appendFile(source, more);
    content = Buffer.concat([content, more]);
    pool = createUploadPool(queue, createTusClient(), options);
    pool.start();
    await vi.waitFor(() => expect(job()!.acknowledged).toBe(content.length), { timeout: 10_000, interval: 20 });
    expect(job()!.uploadUrl).toBe(firstUpload);

    await pool.close();
    // Never declared while it might still grow: nothing has landed.
    expect(await sha256File(join(received, 'log.bin')).catch(() => 'absent')).toBe('absent');

    // The file is rewritten shorter: the bytes on the server are no longer a prefix of it, so a new
    // upload starts, and the file that lands is the new one.
    content = randomBytes(100 * KiB);
    await writeFile(source, content);
    pool = createUploadPool(queue, createTusClient(), { ...options, growingQuietMs: 300 });
    pool.start();
    await pool.whenIdle();
    expect(job()).toMatchObject({ status: 'completed', size: content.length });
    // Sealed: the new partial upload is the final's one part, and it is not the first one.
    expect(job()!.parts?.[0]?.url).not.toBe(firstUpload);
    // The abandoned upload is deleted on the receiver, not left there to expire.
    const partials = (await receiver.store.list()).filter((info) => info.concat?.kind === 'partial');
    expect(partials.map((info) => info.id)).toEqual([job()!.parts![0]!.url!.split('/').pop()]);
    const hash = createHash('sha256').update(content).digest('hex');
    expect(await sha256File(join(received, 'log.bin'))).toBe(hash);
  },
);

it(
  'starts over when a growing file is rewritten in place, as recorders do with their header on close',
  { timeout: 30_000 },
  async () => {
    const { received, endpoint } = await startFerryReceiver('growing-header');
    const source = join(dir!, 'take.wav');
    const content = randomBytes(400 * KiB);
    await writeFile(source, content);
    const { queue, job } = await queueGrowing(source, endpoint);
    pool = createUploadPool(queue, createTusClient(), { chunkSize: 128 * KiB, growingQuietMs: 1_500 });
    pool.start();
    await vi.waitFor(() => expect(job()!.acknowledged).toBe(content.length), { timeout: 10_000, interval: 20 });
    // The header (first bytes) is rewritten; the size stays.
    await sleep(50);
    const handle = await open(source, 'r+');
    await handle.write(Buffer.from('RIFF-final-header'), 0, 17, 0);
    await handle.close();
    Buffer.from('RIFF-final-header').copy(content, 0);
    await pool.whenIdle();
    expect(job()).toMatchObject({
      status: 'completed',
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
    });
    expect(await sha256File(join(received, 'take.wav'))).toBe(job()!.sha256);
  },
);
