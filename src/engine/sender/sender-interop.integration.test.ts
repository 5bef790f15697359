// Interop: the pool uploads one mixed batch to Ferry's receiver and to @tus/server, a third-party
// server without concatenation or checksum, and every landed file hashes like its source.
import { mkdir } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server as TusServer } from '@tus/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadJob } from '../../shared/upload-job';
import { createReceiver, type Receiver } from '../receiver/server';
import { createMemoryPersistence } from './queue-persistence';
import { createTusClient } from './tus-client';
import { createUploadPool } from './upload-pool';
import { createUploadQueue } from './upload-queue';
import { KiB, MiB, makeTempDir, removeDir, sha256File, writeRandomFile } from '../../../test/support/sender-test-kit';

const chunkSize = 4 * MiB;
let sourceDir: string;
/** Expected landing name (relativePath, else filename) → SHA-256 of the source. */
const expected = new Map<string, string>();
const cleanup: (() => Promise<void>)[] = [];

beforeAll(async () => {
  sourceDir = await makeTempDir('interop-src');
  cleanup.push(() => removeDir(sourceDir));
  expected.set('empty.bin', await writeRandomFile(join(sourceDir, 'empty.bin'), 0));
  expected.set('small.bin', await writeRandomFile(join(sourceDir, 'small.bin'), 20 * KiB));
  // Not a multiple of the chunk size, so the last chunk and the last part are short.
  expected.set('big.bin', await writeRandomFile(join(sourceDir, 'big.bin'), 30 * MiB + 12_345));
  await mkdir(join(sourceDir, 'tree', 'sub', 'deeper'), { recursive: true });
  expected.set('tree/readme.txt', await writeRandomFile(join(sourceDir, 'tree', 'readme.txt'), 1_000));
  expected.set('tree/sub/photo.jpg', await writeRandomFile(join(sourceDir, 'tree', 'sub', 'photo.jpg'), 300 * KiB));
  expected.set(
    'tree/sub/deeper/clip.bin',
    await writeRandomFile(join(sourceDir, 'tree', 'sub', 'deeper', 'clip.bin'), 9 * MiB),
  );
  expected.set(
    'tree/sub/deeper/zero.txt',
    await writeRandomFile(join(sourceDir, 'tree', 'sub', 'deeper', 'zero.txt'), 0),
  );
});

afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

/** Sends the whole batch with `parallel: 4` and returns the finished jobs by landing name. */
async function sendBatch(endpoint: string, headers?: Record<string, string>): Promise<Map<string, UploadJob>> {
  const queue = createUploadQueue(createMemoryPersistence());
  const paths = ['empty.bin', 'small.bin', 'big.bin', 'tree'].map((name) => join(sourceDir, name));
  const { added, skipped } = await queue.add(paths, { endpoint, headers });
  expect(skipped).toEqual([]);
  expect(added).toHaveLength(expected.size);
  const pool = createUploadPool(queue, createTusClient(), {
    concurrency: 4,
    parallel: 4,
    chunkSize,
    retryDelays: [0, 100],
    maxAttempts: 3,
  });
  pool.start();
  await pool.whenIdle();
  await pool.close();
  const jobs = new Map(queue.list().map((job) => [job.relativePath ?? job.name, job]));
  for (const [name, job] of jobs) expect([name, job.status, job.error]).toEqual([name, 'completed', undefined]);
  return jobs;
}

describe("Ferry's receiver", () => {
  let receiver: Receiver;
  let receiveDir: string;
  beforeAll(async () => {
    receiveDir = await makeTempDir('interop-ferry');
    receiver = createReceiver({ dir: receiveDir, token: 'secret', logger: false });
    await receiver.listen();
    cleanup.push(async () => {
      await receiver.close();
      await removeDir(receiveDir);
    });
  });

  it('lands every file under its name and folder path with the source hash, using concatenation for the big ones', async () => {
    const jobs = await sendBatch(`${receiver.url}/files/`, { authorization: 'Bearer secret' });
    for (const [name, hash] of expected) expect(await sha256File(join(receiveDir, name)), name).toBe(hash);
    // Every job names its file's sha256, and the receiver's answer confirmed it (X-Ferry-Sha256).
    for (const [name, hash] of expected)
      expect([name, jobs.get(name)!.sha256, jobs.get(name)!.sha256Confirmed]).toEqual([name, hash, true]);
    // Files of at least two chunks go up as parallel partial uploads, then one final upload.
    const big = jobs.get('big.bin')!;
    expect(
      big.parts?.map((part) => [part.start, part.end, part.offset === part.end - part.start, Boolean(part.url)]),
    ).toEqual([
      [0, 8 * MiB, true, true],
      [8 * MiB, 16 * MiB, true, true],
      [16 * MiB, 24 * MiB, true, true],
      [24 * MiB, 30 * MiB + 12_345, true, true],
    ]);
    expect(jobs.get('tree/sub/deeper/clip.bin')!.parts).toHaveLength(3);
    expect(big.uploadUrl).toBeDefined();
    expect(new Set(big.parts!.map((part) => part.url)).has(big.uploadUrl)).toBe(false);
    // Small files go in one request each and are never split.
    for (const name of ['empty.bin', 'small.bin', 'tree/readme.txt', 'tree/sub/photo.jpg'])
      expect(jobs.get(name)!.parts, name).toBeUndefined();
  });
});

describe('@tus/server (no concatenation, no checksum)', () => {
  let storeDir: string;
  let http: HttpServer;
  const seen: { method: string; url: string; concat?: string; checksum?: string }[] = [];
  const inFlightPatches = new Map<string, number>();
  let overlappingPatches = 0;

  beforeAll(async () => {
    storeDir = await makeTempDir('interop-tus');
    const tus = new TusServer({ path: '/files', datastore: new FileStore({ directory: storeDir }) });
    // Wrapping its handler shows every request it got, and whether PATCHes to one upload overlapped.
    http = createServer((req, res) => {
      const url = req.url ?? '';
      seen.push({
        method: req.method ?? '',
        url,
        concat: req.headers['upload-concat'] as string | undefined,
        checksum: req.headers['upload-checksum'] as string | undefined,
      });
      if (req.method === 'PATCH') {
        const now = (inFlightPatches.get(url) ?? 0) + 1;
        inFlightPatches.set(url, now);
        if (now > 1) overlappingPatches += 1;
        res.once('close', () => inFlightPatches.set(url, inFlightPatches.get(url)! - 1));
      }
      void tus.handle(req, res);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanup.push(async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await removeDir(storeDir);
    });
  });

  it('falls back to sequential chunks and every stored file hashes like its source', async () => {
    const { port } = http.address() as AddressInfo;
    const jobs = await sendBatch(`http://127.0.0.1:${port}/files/`);
    expect(seen.filter((request) => request.concat !== undefined)).toEqual([]);
    expect(seen.filter((request) => request.checksum !== undefined)).toEqual([]);
    expect(overlappingPatches).toBe(0);
    for (const [name, hash] of expected) {
      const job = jobs.get(name)!;
      expect(job.parts, name).toBeUndefined();
      const id = new URL(job.uploadUrl!).pathname.split('/').pop()!;
      expect(await sha256File(join(storeDir, id)), name).toBe(hash);
      // The sha256 is this side's own: a server that does not check it cannot confirm it.
      expect([job.sha256, job.sha256Confirmed], name).toEqual([hash, false]);
    }
    // 30 MiB in 4 MiB chunks: one POST and eight PATCHes, one after another.
    const bigPath = new URL(jobs.get('big.bin')!.uploadUrl!).pathname;
    expect(seen.filter((request) => request.method === 'PATCH' && request.url === bigPath)).toHaveLength(8);
    // Small files use creation-with-upload: one POST each, no PATCH.
    const smallPath = new URL(jobs.get('small.bin')!.uploadUrl!).pathname;
    expect(seen.filter((request) => request.url === smallPath)).toEqual([]);
    expect(seen.filter((request) => request.method === 'OPTIONS')).toHaveLength(1);
  });
});
