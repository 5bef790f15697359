// A link slower than "one request within the stall timeout": the file must still finish, with one
// upload on the receiver, progress on the way, and an interrupted first request resumed, not redone.
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { ProgressEvent } from '../../shared/progress-event';
import { createReceiver, type Receiver } from '../receiver/server';
import { createMemoryPersistence, createTusClient, createUploadPool, createUploadQueue, type UploadPool } from '.';
import { KiB, makeTempDir, removeDir, sha256File, writeRandomFile } from '../../../test/support/sender-test-kit';

let receiver: Receiver | undefined;
let pool: UploadPool | undefined;
let dir: string | undefined;
afterEach(async () => {
  await pool?.close();
  await receiver?.close();
  await removeDir(dir);
  pool = receiver = dir = undefined;
});

/** Records that carry a file's bytes (a final upload only joins parts). */
const byteUploads = async (receiver: Receiver) =>
  (await receiver.store.list()).filter((info) => info.concat?.kind !== 'final');

async function setup(size: number) {
  dir = await makeTempDir('slow-link');
  const source = join(dir, 'slow.bin');
  const hash = await writeRandomFile(source, size);
  receiver = createReceiver({ dir: join(dir, 'received'), token: null, logger: false, durable: false });
  const { url } = await receiver.listen();
  const queue = createUploadQueue(createMemoryPersistence());
  await queue.add([source], { endpoint: `${url}/files/` });
  return { queue, hash, receiver, received: join(dir, 'received', 'slow.bin') };
}

it(
  'finishes a file that needs longer than the stall timeout at the rate limit, as one upload with progress on the way',
  { timeout: 30_000 },
  async () => {
    // 256 KiB at 64 KiB/s is about 3-4 s, more than twice the 1.5 s stall timeout.
    const { queue, hash, receiver, received } = await setup(256 * KiB);
    pool = createUploadPool(queue, createTusClient(), {
      concurrency: 1,
      rateLimit: 64 * KiB,
      stallTimeoutMs: 1_500,
      retryDelays: [0, 50],
      maxAttempts: 3,
    });
    const events: ProgressEvent[] = [];
    pool.hub.subscribe((event) => events.push(event));
    pool.start();
    await pool.whenIdle();
    const [job] = queue.list();

    expect([job!.status, job!.error?.code]).toEqual(['completed', undefined]);
    expect(await sha256File(received)).toBe(hash);
    expect(await byteUploads(receiver)).toHaveLength(1);
    // Stored bytes show while the file goes, not only at the end.
    const running = events.findIndex((event) => event.status === 'running');
    const between = events
      .slice(running + 1)
      .filter((event) => event.status === 'running' && event.offset > 0 && event.offset < job!.size);
    expect(between.length).toBeGreaterThan(0);
  },
);

it(
  'resumes a one-request upload whose request broke off, without a second upload on the receiver',
  { timeout: 30_000 },
  async () => {
    // Small enough for one request at 64 KiB/s; the stall watch cuts it off in the middle once.
    const { queue, hash, receiver, received } = await setup(100 * KiB);
    pool = createUploadPool(queue, createTusClient(), {
      concurrency: 1,
      rateLimit: 64 * KiB,
      stallTimeoutMs: 1_000,
      retryDelays: [0, 50],
      maxAttempts: 3,
    });
    let stalledOnce = false;
    // Holds the limiter once, mid-body (after the first 64 KiB left), for longer than the stall timeout.
    const take = pool.limiter.take.bind(pool.limiter);
    let taken = 0;
    pool.limiter.take = async (bytes, signal) => {
      taken += bytes;
      if (!stalledOnce && taken > 64 * KiB) {
        stalledOnce = true;
        await new Promise((resolve) => setTimeout(resolve, 1_500));
      }
      return take(bytes, signal);
    };
    pool.start();
    await pool.whenIdle();
    const [job] = queue.list();

    expect(stalledOnce).toBe(true);
    expect([job!.status, job!.error?.code]).toEqual(['completed', undefined]);
    expect(await sha256File(received)).toBe(hash);
    expect(await byteUploads(receiver)).toHaveLength(1);
  },
);
