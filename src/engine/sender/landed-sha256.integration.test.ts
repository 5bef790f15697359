// A resumed upload lands with its last PATCH, whose answer is not where the pool reads the receiver's
// confirmation: Ferry's receiver is asked by HEAD; another tus server cannot confirm, and a digest
// this side never computed (the upload resumed midway) is read from disk.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server as TusServer } from '@tus/server';
import { afterEach, expect, it } from 'vitest';
import type { UploadJob } from '../../shared/upload-job';
import { createReceiver, type Receiver } from '../receiver/server';
import { createMemoryPersistence } from './queue-persistence';
import { createTusClient, encodeMetadata } from './tus-client';
import { createUploadPool, type UploadPool } from './upload-pool';
import { createUploadQueue } from './upload-queue';
import { KiB, makeTempDir, removeDir, sha256File, writeRandomFile } from '../../../test/support/sender-test-kit';

const size = 300 * KiB;
const cleanup: (() => Promise<void>)[] = [];
let pool: UploadPool | undefined;

afterEach(async () => {
  await pool?.close();
  pool = undefined;
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Starts an upload of the first third of `path` by hand, as an earlier run that was cut off would have. */
async function startedUpload(endpoint: string, path: string, metadata: Record<string, string>): Promise<string> {
  const tus = { 'tus-resumable': '1.0.0' };
  const created = await fetch(endpoint, {
    method: 'POST',
    headers: { ...tus, 'upload-length': String(size), 'upload-metadata': encodeMetadata(metadata) },
  });
  expect(created.status).toBe(201);
  const url = new URL(created.headers.get('location')!, endpoint).toString();
  const patched = await fetch(url, {
    method: 'PATCH',
    headers: { ...tus, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
    body: (await readFile(path)).subarray(0, size / 3),
  });
  expect(patched.status).toBe(204);
  return url;
}

/** Resumes the job from `uploadUrl` through the pool and returns it as it ended. */
async function resume(endpoint: string, path: string, known: Partial<UploadJob>): Promise<UploadJob> {
  const info = await stat(path);
  const job: UploadJob = {
    id: 'resumed-job',
    path,
    name: 'resumed.bin',
    size,
    mtimeMs: info.mtimeMs,
    target: { endpoint },
    status: 'queued',
    acknowledged: size / 3,
    sent: size / 3,
    attempts: 0,
    addedAt: Date.now(),
    ...known,
  };
  const queue = createUploadQueue(createMemoryPersistence({ version: 1, jobs: [job] }));
  await queue.restore();
  pool = createUploadPool(queue, createTusClient(), { chunkSize: 64 * KiB, retryDelays: [0], maxAttempts: 2 });
  pool.start();
  await pool.whenIdle();
  return queue.get(job.id)!;
}

it("is confirmed by Ferry's receiver when the upload declared its sha256 and a PATCH landed it", async () => {
  const dir = await makeTempDir('landed-ferry');
  const receiver: Receiver = createReceiver({ dir: join(dir, 'received'), token: null, logger: false });
  const { url } = await receiver.listen();
  cleanup.push(async () => {
    await receiver.close();
    await removeDir(dir);
  });
  const path = join(dir, 'resumed.bin');
  const hash = await writeRandomFile(path, size);
  const endpoint = `${url}/files/`;
  const uploadUrl = await startedUpload(endpoint, path, { filename: 'resumed.bin', sha256: hash });

  const job = await resume(endpoint, path, { uploadUrl, sha256: hash });
  expect([job.status, job.sha256, job.sha256Confirmed]).toEqual(['completed', hash, true]);
  expect(await sha256File(join(dir, 'received', 'resumed.bin'))).toBe(hash);
});

it('is read from disk and not confirmed when another tus server had the upload from midway', async () => {
  const dir = await makeTempDir('landed-tus');
  const storeDir = join(dir, 'store');
  const tus = new TusServer({ path: '/files', datastore: new FileStore({ directory: storeDir }) });
  const http: HttpServer = createServer((req, res) => void tus.handle(req, res));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  cleanup.push(async () => {
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await removeDir(dir);
  });
  const endpoint = `http://127.0.0.1:${(http.address() as AddressInfo).port}/files/`;
  const path = join(dir, 'resumed.bin');
  const hash = await writeRandomFile(path, size);
  const uploadUrl = await startedUpload(endpoint, path, { filename: 'resumed.bin' });

  const job = await resume(endpoint, path, { uploadUrl });
  expect([job.status, job.sha256, job.sha256Confirmed]).toEqual(['completed', hash, false]);
  expect(await sha256File(join(storeDir, new URL(uploadUrl).pathname.split('/').pop()!))).toBe(hash);
});
