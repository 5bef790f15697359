// A resumed upload learns its offset from the receiver (HEAD): those bytes were stored by an earlier
// run, not sent now, so they move the offset but neither the file's speed nor the overall speed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { ProgressEvent } from '../../shared/progress-event';
import { meta, octet, receiverForTest, send } from '../../../test/support/tus-test-client';
import { KiB, makeTempDir, removeDir, sha256File, writeRandomFile } from '../../../test/support/sender-test-kit';
import { createMemoryPersistence, createTusClient, createUploadPool, createUploadQueue, type UploadPool } from '.';

let pool: UploadPool | undefined;
let dir: string | undefined;
afterEach(async () => {
  await pool?.close();
  await removeDir(dir);
  pool = dir = undefined;
});

const rateLimit = 128 * KiB;

it(
  'a resumed upload shows the stored offset at once, and its speeds count only the bytes sent now',
  { timeout: 30_000 },
  async () => {
    const t = await receiverForTest({ durable: false });
    dir = await makeTempDir('resumed-progress');
    const source = join(dir, 'resumed.bin');
    const size = 2048 * KiB;
    const hash = await writeRandomFile(source, size);
    // An earlier run stored the first 1.75 MiB and was killed before its answer was saved.
    const stored = 1792 * KiB;
    const created = await send(t.endpoint, 'POST', {
      'Upload-Length': size,
      'Upload-Metadata': meta({ filename: 'resumed.bin' }),
    });
    const uploadUrl = new URL(created.headers.location!, t.endpoint).href;
    const patched = await send(
      uploadUrl,
      'PATCH',
      { ...octet, 'Upload-Offset': 0 },
      (await readFile(source)).subarray(0, stored),
    );
    expect(patched.status).toBe(204);

    const queue = createUploadQueue(createMemoryPersistence());
    await queue.add([source], { endpoint: t.endpoint, headers: { authorization: 'Bearer secret' } });
    queue.update(queue.list()[0]!.id, { uploadUrl });
    pool = createUploadPool(queue, createTusClient(), { concurrency: 1, rateLimit });
    const events: ProgressEvent[] = [];
    pool.hub.subscribe((event) => events.push(event));
    // Sampled from before the start, as a window showing the totals is.
    const overallSpeeds = [pool.overall().bytesPerSecond];
    const sampler = setInterval(() => overallSpeeds.push(pool!.overall().bytesPerSecond), 50);
    pool.start();
    await pool.whenIdle();
    clearInterval(sampler);

    const [done] = queue.list();
    expect([done!.status, done!.error?.code]).toEqual(['completed', undefined]);
    expect(await sha256File(join(t.dir, 'resumed.bin'))).toBe(hash);
    // The stored offset shows while the last quarter is still on its way.
    const running = events.filter((event) => event.status === 'running');
    expect(running.some((event) => event.offset >= stored && event.offset < size)).toBe(true);
    // 256 KiB went at 128 KiB/s: a speed far above the limit would count the stored 1.75 MiB as sent.
    const fastest = Math.max(...running.map((event) => event.bytesPerSecond));
    expect(fastest).toBeGreaterThan(0);
    expect(fastest).toBeLessThan(3 * rateLimit);
    expect(Math.max(...overallSpeeds)).toBeLessThan(3 * rateLimit);
  },
);
