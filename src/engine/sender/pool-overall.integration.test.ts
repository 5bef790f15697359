import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createReceiver, type Receiver } from '../receiver/server';
import { createMemoryPersistence, createTusClient, createUploadPool, createUploadQueue, type UploadPool } from '.';
import { makeTempDir, removeDir } from '../../../test/support/sender-test-kit';

let receiver: Receiver | undefined;
let pool: UploadPool | undefined;
let dir = '';
afterEach(async () => {
  await pool?.close();
  await receiver?.close();
  await removeDir(dir);
});

it('reports overall totals with a speed and an ETA over total bytes while files run', async () => {
  dir = await makeTempDir('overall');
  for (const name of ['a.bin', 'b.bin', 'c.bin']) await writeFile(join(dir, name), randomBytes(6 * 1024 * 1024));
  receiver = createReceiver({ dir: join(dir, 'received'), token: null, logger: false, durable: false });
  const { url } = await receiver.listen();
  const queue = createUploadQueue(createMemoryPersistence());
  await queue.add(
    ['a.bin', 'b.bin', 'c.bin'].map((name) => join(dir, name)),
    { endpoint: `${url}/files/` },
  );
  pool = createUploadPool(queue, createTusClient(), {
    concurrency: 2,
    chunkSize: 1024 * 1024,
    rateLimit: 8 * 1024 * 1024,
  });
  const onlyA = (job: { name: string }) => job.name === 'a.bin';
  const samples: { acknowledged: number; bytesPerSecond: number; etaSeconds: number | null }[] = [];
  pool.start();
  const sampler = setInterval(() => samples.push(pool!.overall()), 100);
  await pool.whenIdle();
  clearInterval(sampler);
  const done = pool.overall();
  expect(done).toMatchObject({
    files: 3,
    completed: 3,
    failed: 0,
    size: 18 * 1024 * 1024,
    acknowledged: 18 * 1024 * 1024,
    etaSeconds: 0,
  });
  expect(pool.overall(onlyA)).toMatchObject({ files: 1, size: 6 * 1024 * 1024 });
  const moving = samples.filter((sample) => sample.acknowledged > 0 && sample.acknowledged < 18 * 1024 * 1024);
  expect(moving.length).toBeGreaterThan(5);
  // About 8 MiB/s under the limit: the smoothed rate lands near it, and the ETA is a number.
  const last = moving[moving.length - 1]!;
  expect(last.bytesPerSecond).toBeGreaterThan(3 * 1024 * 1024);
  expect(last.bytesPerSecond).toBeLessThan(16 * 1024 * 1024);
  expect(last.etaSeconds).not.toBeNull();
  for (let i = 1; i < samples.length; i++)
    expect(samples[i]!.acknowledged).toBeGreaterThanOrEqual(samples[i - 1]!.acknowledged);
});
