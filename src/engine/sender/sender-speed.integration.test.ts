// A sender's speed is the rate its bytes leave at now, while its offset stays the bytes the
// receiver stored: during a long request the speed and ETA show (instead of 0 until the answer),
// and bytes a resumed upload finds already stored (its HEAD) move the offset but not the speed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { ProgressEvent } from '../../shared/progress-event';
import { meta, octet, receiverForTest, send, type TestReceiver } from '../../../test/support/tus-test-client';
import { KiB, makeTempDir, removeDir, sha256File, writeRandomFile } from '../../../test/support/sender-test-kit';
import { createMemoryPersistence, createTusClient, createUploadPool, createUploadQueue, type UploadPool } from '.';

let pool: UploadPool | undefined;
let dir: string | undefined;
afterEach(async () => {
  await pool?.close();
  await removeDir(dir);
  pool = dir = undefined;
});

const rateLimit = 256 * KiB;

/** A receiver and a source file of `size` random bytes. */
async function setup(size: number) {
  const t = await receiverForTest({ durable: false });
  dir = await makeTempDir('sender-speed');
  const source = join(dir, 'paced.bin');
  const hash = await writeRandomFile(source, size);
  return { t, source, hash };
}

/**
 * Sends the queue at the rate limit; returns its running events and the overall speed, sampled from
 * before the start as a window showing the totals does.
 */
async function sendPaced(queue: ReturnType<typeof createUploadQueue>) {
  pool = createUploadPool(queue, createTusClient(), { concurrency: 1, rateLimit });
  const events: ProgressEvent[] = [];
  pool.hub.subscribe((event) => events.push(event));
  const overallSpeeds = [pool.overall().bytesPerSecond];
  const sampler = setInterval(() => overallSpeeds.push(pool!.overall().bytesPerSecond), 50);
  pool.start();
  await pool.whenIdle();
  clearInterval(sampler);
  expect(queue.list().map((job) => [job.status, job.error?.code])).toEqual([['completed', undefined]]);
  return { running: events.filter((event) => event.status === 'running'), overallSpeeds };
}

async function queueFor(t: TestReceiver, source: string) {
  const queue = createUploadQueue(createMemoryPersistence());
  await queue.add([source], { endpoint: t.endpoint, headers: { authorization: 'Bearer secret' } });
  return queue;
}

it(
  'at a rate limit a file shows about that speed while its request goes, and its offset only once stored',
  { timeout: 30_000 },
  async () => {
    const size = 768 * KiB;
    const { t, source } = await setup(size);
    const { running, overallSpeeds } = await sendPaced(await queueFor(t, source));

    // Offsets move only when the receiver answers a request (two of them at this rate: about two
    // seconds of the link each), never with each piece that leaves.
    expect(new Set(running.map((event) => event.offset)).size).toBeLessThanOrEqual(3);
    // Before the first answer nothing is stored, and yet the speed and ETA show.
    const beforeFirstAnswer = running.filter((event) => event.offset === 0 && event.bytesPerSecond > 0);
    expect(beforeFirstAnswer.length).toBeGreaterThan(3);
    const last = beforeFirstAnswer.at(-1)!;
    expect(last.bytesPerSecond).toBeGreaterThan(0.5 * rateLimit);
    expect(last.bytesPerSecond).toBeLessThan(2 * rateLimit);
    expect(last.etaSeconds).not.toBeNull();
    expect(Math.max(...overallSpeeds)).toBeGreaterThan(0.5 * rateLimit);
    expect(Math.max(...overallSpeeds)).toBeLessThan(2 * rateLimit);
  },
);

it(
  'a resumed upload shows the stored offset at once, and its speeds count only the bytes sent now',
  { timeout: 30_000 },
  async () => {
    const size = 2048 * KiB;
    const { t, source, hash } = await setup(size);
    // An earlier run stored the first 1.75 MiB and was killed before its answer was saved.
    const stored = 1792 * KiB;
    const created = await send(t.endpoint, 'POST', {
      'Upload-Length': size,
      'Upload-Metadata': meta({ filename: 'paced.bin' }),
    });
    const uploadUrl = new URL(created.headers.location!, t.endpoint).href;
    const bytes = (await readFile(source)).subarray(0, stored);
    expect((await send(uploadUrl, 'PATCH', { ...octet, 'Upload-Offset': 0 }, bytes)).status).toBe(204);
    const queue = await queueFor(t, source);
    queue.update(queue.list()[0]!.id, { uploadUrl });
    const { running, overallSpeeds } = await sendPaced(queue);

    expect(await sha256File(join(t.dir, 'paced.bin'))).toBe(hash);
    // The stored offset shows while the last quarter is still on its way.
    expect(running.some((event) => event.offset >= stored && event.offset < size)).toBe(true);
    // 256 KiB went at 256 KiB/s: a speed far above the limit would count the stored 1.75 MiB as sent.
    const fastest = Math.max(...running.map((event) => event.bytesPerSecond));
    expect(fastest).toBeGreaterThan(0);
    expect(fastest).toBeLessThan(3 * rateLimit);
    expect(Math.max(...overallSpeeds)).toBeLessThan(3 * rateLimit);
  },
);
