import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDigestPool, digestPoolSize } from './digest-pool';
import type { DigestWorker } from './digest-worker';

// Every digest worker the pool makes, and every thread started, in order.
const made = vi.hoisted(() => ({ workers: [] as DigestWorker[], threads: [] as { exited: boolean }[] }));
vi.mock('./digest-worker', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./digest-worker')>();
  return {
    ...actual,
    createDigestWorker: () => {
      const worker = actual.createDigestWorker();
      made.workers.push(worker);
      return worker;
    },
  };
});
vi.mock('node:worker_threads', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:worker_threads')>();
  class CountedWorker extends actual.Worker {
    constructor(...args: ConstructorParameters<typeof actual.Worker>) {
      super(...args);
      const thread = { exited: false };
      made.threads.push(thread);
      this.once('exit', () => {
        thread.exited = true;
      });
    }
  }
  return { ...actual, Worker: CountedWorker };
});

const pools: DigestWorker[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
  made.workers.length = 0;
  made.threads.length = 0;
});

function pool(size: number): DigestWorker {
  const created = createDigestPool({ size });
  pools.push(created);
  return created;
}

/** Random bytes in shared memory: the thread reads them in place, and counts them when they cross. */
function sharedPiece(size: number): Buffer {
  const piece = Buffer.from(new SharedArrayBuffer(size));
  randomBytes(size).copy(piece);
  return piece;
}

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest('hex');
/** Bytes each of the pool's workers has hashed. */
const perWorker = () => made.workers.map((worker) => worker.hashedBytes);

describe('digest pool size', () => {
  it('is none on one core, one thread on two, one per core but one beyond, and four at most', () => {
    expect([1, 2, 3, 4, 5, 8, 64].map((cores) => digestPoolSize(cores, {}))).toEqual([0, 1, 2, 3, 4, 4, 4]);
  });

  it('takes a whole number from FERRY_DIGEST_WORKERS and ignores anything else', () => {
    expect(digestPoolSize(2, { FERRY_DIGEST_WORKERS: '3' })).toBe(3);
    expect(digestPoolSize(16, { FERRY_DIGEST_WORKERS: '1' })).toBe(1);
    expect(digestPoolSize(8, { FERRY_DIGEST_WORKERS: '0' })).toBe(0);
    expect(['-2', '1.5', 'many', '', ' '].map((value) => digestPoolSize(8, { FERRY_DIGEST_WORKERS: value }))).toEqual([
      4, 4, 4, 4, 4,
    ]);
  });

  it('refuses an explicit size below zero, and hashes inline with none', async () => {
    expect(() => createDigestPool({ size: -1 })).toThrow(RangeError);
    const inline = createDigestPool({ size: 0 });
    expect(inline.inline).toBe(true);
    expect((await inline.digest('sha256', Buffer.from('abc'))).toString('hex')).toBe(sha256(Buffer.from('abc')));
    await inline.close();
  });
});

describe('digest pool', () => {
  it('with one thread is a single digest worker, whatever runs at once', async () => {
    const digests = pool(1);
    const pieces = [sharedPiece(300_000), sharedPiece(500_000), sharedPiece(700_000)];
    const sessions = pieces.map(() => digests.start('sha256'));
    await Promise.all(sessions.map((session, index) => session.updateShared(pieces[index]!)));
    const results = await Promise.all(sessions.map((session) => session.finish()));
    expect(results.map((digest) => digest.toString('hex'))).toEqual(pieces.map((piece) => sha256(piece)));
    expect(made.workers).toHaveLength(1);
    expect(made.threads).toHaveLength(1);
    expect(digests).toBe(made.workers[0]);
  });

  it('spreads concurrent sessions over its threads, one each, and every digest is right', async () => {
    const digests = pool(3);
    const sizes = [1_000_000, 2_000_000, 3_000_000];
    const data = sizes.map((size) => [sharedPiece(size / 2), sharedPiece(size / 2)]);
    const sessions = sizes.map(() => digests.start('sha256'));
    for (let round = 0; round < 2; round++)
      await Promise.all(sessions.map((session, index) => session.updateShared(data[index]![round]!)));
    const results = await Promise.all(sessions.map((session) => session.finish()));
    expect(results.map((digest) => digest.toString('hex'))).toEqual(data.map((parts) => sha256(...parts)));
    expect(perWorker()).toEqual(sizes);
    expect(made.threads).toHaveLength(3);
  });

  it('keeps a fork on its session’s thread, and counts a session and its forks as one stream', async () => {
    const digests = pool(2);
    const prefix = sharedPiece(400_000);
    const rest = sharedPiece(600_000);
    const first = digests.start('sha256');
    await first.updateShared(prefix);
    const checkpoint = first.fork();
    const second = digests.start('sha256');
    const third = digests.start('sha256');
    await checkpoint.updateShared(rest);
    await second.updateShared(rest);
    await third.updateShared(prefix);
    // The checkpoint adds no stream: the third session goes back to the first thread.
    expect(perWorker()).toEqual([prefix.length * 2 + rest.length, rest.length]);
    expect((await first.finish()).toString('hex')).toBe(sha256(prefix));
    expect((await checkpoint.finish()).toString('hex')).toBe(sha256(prefix, rest));
    second.drop();
    third.drop();
  });

  it('sends new work to the thread with the fewest streams, then the fewest bytes waiting', async () => {
    const digests = pool(2);
    const piece = sharedPiece(8 * 1024 * 1024);
    const busy = digests.start('sha256');
    const hashing = busy.updateShared(piece);
    const idle = digests.start('sha256');
    // One stream each: the bytes still waiting on the first thread send the next session to the second.
    const next = digests.start('sha256');
    const small = sharedPiece(100_000);
    await next.updateShared(small);
    expect(perWorker()).toEqual([piece.length, small.length]);
    await hashing;
    busy.drop();
    // The first thread has no stream now: a one-shot digest goes there.
    const oneShot = sharedPiece(200_000);
    expect((await digests.digest('sha256', oneShot)).toString('hex')).toBe(sha256(oneShot));
    expect(perWorker()).toEqual([piece.length + oneShot.length, small.length]);
    idle.drop();
    next.drop();
  });

  it('starts one thread only while work does not overlap', async () => {
    const digests = pool(3);
    for (let round = 0; round < 4; round++) {
      const piece = sharedPiece(300_000);
      const session = digests.start('sha256');
      await session.updateShared(piece);
      expect((await session.finish()).toString('hex')).toBe(sha256(piece));
      expect((await digests.digest('sha256', piece)).toString('hex')).toBe(sha256(piece));
    }
    expect(made.threads).toHaveLength(1);
  });

  it('hashes files on the least-loaded thread and feeds a file into a session on its own thread', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'digest-pool-'));
    try {
      const file = join(dir, 'data.bin');
      const content = randomBytes(5 * 1024 * 1024 + 7);
      await writeFile(file, content);
      const digests = pool(2);
      const first = digests.start('sha256');
      const second = digests.start('sha256');
      const head = sharedPiece(1000);
      await second.updateShared(head);
      // One stream on each thread and nothing waiting: the file goes to the first.
      expect((await digests.digestFile('sha256', file)).toString('hex')).toBe(sha256(content));
      expect(await digests.feedFile(second, file, { start: 0, length: content.length })).toBe(content.length);
      expect((await second.finish()).toString('hex')).toBe(sha256(head, content));
      expect(perWorker()).toEqual([content.length, head.length + content.length]);
      first.drop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('counts hashed bytes over all its threads', async () => {
    const digests = pool(3);
    const pieces = [sharedPiece(150_000), sharedPiece(250_000), sharedPiece(350_000)];
    const sessions = pieces.map(() => digests.start('md5'));
    sessions.forEach((session, index) => session.update(pieces[index]!));
    const oneShot = randomBytes(90_000);
    await Promise.all([...sessions.map((session) => session.finish()), digests.digest('sha1', oneShot)]);
    expect(digests.hashedBytes).toBe(150_000 + 250_000 + 350_000 + 90_000);
    expect(perWorker().every((bytes) => bytes > 0)).toBe(true);
  });

  it('ends every thread on close, and digests still waiting fail', async () => {
    const digests = createDigestPool({ size: 3 });
    const sessions = [0, 1, 2].map(() => digests.start('sha256'));
    await Promise.all(sessions.map((session) => session.updateShared(sharedPiece(100_000))));
    expect(made.threads).toHaveLength(3);
    const waiting = expect(sessions[0]!.finish()).rejects.toThrow('closed');
    await digests.close();
    await waiting;
    expect(made.threads.map((thread) => thread.exited)).toEqual([true, true, true]);
  });
});
