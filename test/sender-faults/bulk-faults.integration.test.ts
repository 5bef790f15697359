// Faults in the middle of a bulk request (many small files in one POST /upload): what landed before
// the break is asked for, not sent again; what did not land goes again; nothing lands twice.
import { afterEach, expect, it } from 'vitest';
import {
  auth,
  landedHash,
  makeFile,
  queueFiles,
  removeTempDirs,
  runToIdle,
  startStack,
  tempDir,
  type Stack,
} from './harness';
import { listFiles } from '../support/tus-test-client';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
  await removeTempDirs();
});

const KiB = 1024;

async function smallFiles(count: number, size: number) {
  const dir = await tempDir('bulk-src');
  const files = [];
  for (let i = 0; i < count; i++) files.push(await makeFile(dir, `f${String(i).padStart(3, '0')}.bin`, size));
  return files;
}

/** A counter of the receiver's /metrics. */
async function metric(s: Stack, name: string): Promise<number> {
  const text = await (await fetch(`${s.receiver.url}/metrics`, { headers: auth })).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
}

async function expectLandedOnce(s: Stack, files: { path: string; hash: string }[]) {
  const landed = await listFiles(s.dir);
  expect(landed).toEqual(files.map((f) => f.path.slice(f.path.lastIndexOf('/') + 1)).sort());
  for (const name of landed)
    expect(await landedHash(s.dir, name)).toBe(files.find((f) => f.path.endsWith(`/${name}`))!.hash);
}

it(
  'a connection cut mid-bulk: the files that landed are not sent again, the rest are, none lands twice',
  { timeout: 30_000 },
  async () => {
    stack = await startStack();
    const files = await smallFiles(100, 8 * KiB);
    const { queue } = await queueFiles(
      files.map((f) => f.path),
      stack.endpoint,
    );
    // Inside the first batch (64 files of 8 KiB): a little over thirty files have arrived whole.
    stack.proxy.arm({ kind: 'cut', afterBytes: 300 * KiB });
    const jobs = await runToIdle(queue, { concurrency: 1 });

    expect(jobs.every((job) => job.status === 'completed')).toBe(true);
    expect(stack.proxy.stats.cuts).toBe(1);
    await expectLandedOnce(stack, files);
    // Each file was stored once, but the one the cut went through (its first bytes counted it).
    expect(await metric(stack, 'ferry_uploads_finished_total')).toBe(100);
    expect(await metric(stack, 'ferry_uploads_created_total')).toBeLessThanOrEqual(101);
    // What reached the receiver: the 800 KiB once, plus what of the broken request did not land.
    const bulkBytes = stack.front.log.filter((e) => e.path === '/upload').reduce((sum, e) => sum + e.bodyBytes, 0);
    expect(bulkBytes).toBeLessThan(900 * KiB);
  },
);

it(
  'a lost answer to a bulk request: the sender asks what landed and sends nothing again',
  { timeout: 30_000 },
  async () => {
    stack = await startStack();
    const files = await smallFiles(40, 4 * KiB);
    const { queue } = await queueFiles(
      files.map((f) => f.path),
      stack.endpoint,
    );
    // The receiver lands all forty and answers; the answer never reaches the sender.
    stack.front.script({ method: 'POST', when: (e) => e.path === '/upload', times: 1, dropReply: true });
    const jobs = await runToIdle(queue, { concurrency: 1 });

    expect(jobs.every((job) => job.status === 'completed' && job.sha256Confirmed)).toBe(true);
    await expectLandedOnce(stack, files);
    expect(await metric(stack, 'ferry_uploads_created_total')).toBe(40);
    const bulk = stack.front.log.filter((e) => e.method === 'POST' && e.path === '/upload');
    // The bulk request, then one short question; no second copy of the files.
    expect(bulk).toHaveLength(2);
    expect(bulk[1]!.bodyBytes).toBeLessThan(8 * KiB);
  },
);

it(
  'one file of a batch refused by the receiver: the others land, and it goes again alone',
  { timeout: 30_000 },
  async () => {
    // Multipart takes files up to 3 KiB here, tus any size: the 5 KiB file fails in the batch only.
    stack = await startStack({ multipartLimits: { maxFileSize: 3 * KiB } });
    const files = await smallFiles(10, 2 * KiB);
    const big = await makeFile(await tempDir('bulk-big'), 'big.bin', 5 * KiB);
    const { queue } = await queueFiles(
      [...files, big].map((f) => f.path),
      stack.endpoint,
    );
    const jobs = await runToIdle(queue, { concurrency: 1 });

    expect(jobs.every((job) => job.status === 'completed')).toBe(true);
    await expectLandedOnce(stack, [...files, big]);
    const bulk = stack.front.log.filter((e) => e.method === 'POST' && e.path === '/upload');
    const alone = stack.front.log.filter((e) => e.method === 'POST' && e.path.startsWith('/files'));
    expect(bulk).toHaveLength(1);
    expect(alone.map((e) => e.file)).toEqual(['big.bin']);
  },
);

it(
  'a bulk request gone silent is a stall: it is broken off, and what did not land goes again',
  { timeout: 30_000 },
  async () => {
    stack = await startStack();
    const files = await smallFiles(30, 8 * KiB);
    const { queue } = await queueFiles(
      files.map((f) => f.path),
      stack.endpoint,
    );
    stack.proxy.arm({ kind: 'black-hole', afterBytes: 100 * KiB });
    const jobs = await runToIdle(queue, { concurrency: 1 });
    expect(jobs.every((job) => job.status === 'completed')).toBe(true);
    expect(stack.proxy.stats.blackHoles).toBe(1);
    await expectLandedOnce(stack, files);
  },
);

it('the rate limit holds inside a bulk request, and a slow one is no stall', { timeout: 30_000 }, async () => {
  stack = await startStack();
  const files = await smallFiles(30, 8 * KiB);
  const { queue, samples } = await queueFiles(
    files.map((f) => f.path),
    stack.endpoint,
  );
  const started = performance.now();
  // 240 KiB at 120 KiB/s, after the limiter's first burst: well over a second, in one request.
  const jobs = await runToIdle(queue, { concurrency: 1, rateLimit: 120 * KiB });
  expect(performance.now() - started).toBeGreaterThan(1_200);
  expect(jobs.every((job) => job.status === 'completed')).toBe(true);
  expect(stack.front.log.filter((e) => e.method === 'POST' && e.path === '/upload')).toHaveLength(1);
  expect(samples.some((s) => s.errorCode === 'STALLED')).toBe(false);
  await expectLandedOnce(stack, files);
});
