// To Ferry's receiver (`sha256-one-pass`), each side hashes each byte of a file once: the sender while
// it reads, the receiver while it stores, and the file's sha256 checked at the seal is the integrity
// check. An older Ferry receiver, without that feature, still gets a sha256 on every chunk.
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DigestWorker } from '../crypto/digest-worker';
import { createReceiver, type Receiver } from '../receiver/server';
import type { UploadJob } from '../../shared/upload-job';
import { createMemoryPersistence } from './queue-persistence';
import { oneRequestMaxBytes } from './file-transfer';
import { createTusClient, type CreateRequest, type PatchRequest, type TusClient } from './tus-client';
import { createUploadPool, type UploadPool } from './upload-pool';
import { createUploadQueue, type UploadQueue } from './upload-queue';
import { KiB, MiB, makeTempDir, removeDir, sha256File, writeRandomFile } from '../../../test/support/sender-test-kit';

// Every digest pool made in this file, in order: the receiver's first, then each pool's.
const workers = vi.hoisted(() => [] as DigestWorker[]);
vi.mock('../crypto/digest-pool', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../crypto/digest-pool')>();
  return {
    ...actual,
    createDigestPool: (...args: Parameters<typeof actual.createDigestPool>) => {
      const worker = actual.createDigestPool(...args);
      workers.push(worker);
      return worker;
    },
  };
});

const size = 5 * MiB + 123;
const chunkSize = 256 * KiB;
let dir = '';
let receiver: Receiver | undefined;
const pools: UploadPool[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
  await receiver?.close();
  receiver = undefined;
  await removeDir(dir);
});

/** A receiver, the digest worker it hashes with, and a queue holding one file of `fileSize` bytes. */
async function setUp(
  fileSize = size,
): Promise<{ queue: UploadQueue; digests: DigestWorker; source: string; hash: string }> {
  dir = await makeTempDir('one-pass');
  const source = join(dir, 'big.bin');
  const hash = await writeRandomFile(source, fileSize);
  receiver = createReceiver({ dir: join(dir, 'received'), token: null, logger: false, durable: false });
  const digests = workers.at(-1)!;
  await receiver.listen();
  const queue = createUploadQueue(createMemoryPersistence());
  await queue.add([source], { endpoint: `${receiver.url}/files/` });
  return { queue, digests, source, hash };
}

/** The pool's client, recording every PATCH (and creation); `olderReceiver` hides `sha256-one-pass` from OPTIONS. */
function recordingClient(patches: PatchRequest[], olderReceiver = false, creations: CreateRequest[] = []): TusClient {
  const client = createTusClient();
  return {
    ...client,
    options: async (target) => {
      const caps = await client.options(target);
      if (olderReceiver) caps.ferryFeatures.delete('sha256-one-pass');
      return caps;
    },
    create: (target, request) => (creations.push(request), client.create(target, request)),
    patch: (target, url, request) => (patches.push(request), client.patch(target, url, request)),
  };
}

/** A pool over `queue`, and the digest worker its hasher runs on. */
function startPool(queue: UploadQueue, client: TusClient, rateLimit: number | null = null, chunk = chunkSize) {
  const pool = createUploadPool(queue, client, { chunkSize: chunk, rateLimit, retryDelays: [0], maxAttempts: 3 });
  pools.push(pool);
  const digests = workers.at(-1)!;
  pool.start();
  return { pool, digests };
}

async function landed(hash: string, job: UploadJob | undefined): Promise<void> {
  expect(job).toMatchObject({ status: 'completed', sha256: hash, sha256Confirmed: true });
  expect(await sha256File(join(dir, 'received', 'big.bin'))).toBe(hash);
}

/** Sends one file of `fileSize` bytes with a chunk size four times that, recording its requests; it must land. */
async function sendWithRoomyChunks(fileSize: number) {
  const { queue, hash } = await setUp(fileSize);
  const patches: PatchRequest[] = [];
  const creations: CreateRequest[] = [];
  const { pool } = startPool(queue, recordingClient(patches, false, creations), null, 4 * fileSize);
  await pool.whenIdle();
  await landed(hash, queue.list()[0]);
  return { creations, patches };
}

describe('one hash pass per side', () => {
  it('hashes a file of many requests exactly once on each side, with no per-chunk checksum', async () => {
    const { queue, digests: receiverDigests, hash } = await setUp();
    const patches: PatchRequest[] = [];
    const { pool, digests: senderDigests } = startPool(queue, recordingClient(patches));
    await pool.whenIdle();
    await landed(hash, queue.list()[0]);
    expect(patches.length).toBeGreaterThan(1);
    expect(patches.filter((patch) => patch.checksum !== undefined)).toEqual([]);
    expect(senderDigests.hashedBytes).toBe(size);
    expect(receiverDigests.hashedBytes).toBe(size);
  });

  it('sends an older Ferry receiver a sha256 on every chunk, as it asks', async () => {
    const { queue, digests: receiverDigests, hash } = await setUp();
    const patches: PatchRequest[] = [];
    const { pool, digests: senderDigests } = startPool(queue, recordingClient(patches, true));
    await pool.whenIdle();
    await landed(hash, queue.list()[0]);
    expect(patches.length).toBe(Math.ceil(size / chunkSize));
    expect(patches.every((patch) => patch.checksum?.startsWith('sha256 '))).toBe(true);
    // Each chunk's checksum, and the file's digest: two passes per side.
    expect(senderDigests.hashedBytes).toBe(2 * size);
    expect(receiverDigests.hashedBytes).toBe(2 * size);
  });

  it('resumed by another run: the receiver still hashes each byte once, the new sender the file once', async () => {
    const { queue, digests: receiverDigests, hash } = await setUp();
    // The first run is stopped (the app closes) once part of the file is on the receiver.
    const first = startPool(queue, recordingClient([]), 2 * MiB);
    await vi.waitFor(() => expect(queue.list()[0]!.acknowledged).toBeGreaterThan(MiB), { timeout: 10_000 });
    await first.pool.close();
    const stopped = queue.list()[0]!;
    expect(stopped.status).toBe('queued');
    expect(stopped.acknowledged).toBeLessThan(size);
    const firstHashed = first.digests.hashedBytes;
    // It hashed what it read, as it read it: at least what it sent, never the whole file.
    expect(firstHashed).toBeGreaterThan(MiB);
    expect(firstHashed).toBeLessThan(size);

    const second = startPool(queue, recordingClient([]));
    await second.pool.whenIdle();
    await landed(hash, queue.list()[0]);
    // The new run cannot continue the first run's digest: it hashes the file from disk in a pass of
    // its own while the rest goes out, and hashes nothing else.
    expect(second.digests.hashedBytes).toBe(size);
    // The receiver hashed the first run's bytes as they arrived (those of the broken request too:
    // it keeps them), and the rest as it arrived: each byte once.
    expect(receiverDigests.hashedBytes).toBe(size);
  });

  it('streams a file too big for a one-request body, even when the chunk size would hold all of it', async () => {
    // A one-request creation holds the whole file in memory; a larger chunk size must not make a
    // big file do that (a 1 GiB chunk size once took 2 GB of RSS for a 1 GiB file).
    const { creations, patches } = await sendWithRoomyChunks(oneRequestMaxBytes + 123);
    // Lengths only: a failure message that printed the bodies would print megabytes.
    expect(creations.filter((creation) => creation.body !== undefined).map((creation) => creation.length)).toEqual([]);
    expect(patches.length).toBeGreaterThan(0);
    // Streamed from the ring of read buffers, not read into one buffer first.
    expect(patches.filter((patch) => Buffer.isBuffer(patch.body)).map((patch) => patch.offset)).toEqual([]);
  });

  it('sends a file within the one-request size in its creation when the chunk size holds it', async () => {
    const { creations, patches } = await sendWithRoomyChunks(size);
    expect(creations.map((creation) => creation.length)).toEqual([size]);
    expect(creations[0]!.body).toBeDefined();
    expect(patches).toEqual([]);
  });
});
