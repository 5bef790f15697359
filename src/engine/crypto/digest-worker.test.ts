import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDigestWorker } from './digest-worker';

const worker = createDigestWorker();
afterAll(() => worker.close());
const local = (algorithm: string, data: Buffer) => createHash(algorithm).update(data).digest();

describe('digest worker', () => {
  it.each(['sha1', 'sha256', 'md5'] as const)('streams pieces of any size into %s', async (algorithm) => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const session = worker.start(algorithm);
    for (let at = 0; at < data.length; at += 65_536 + 3)
      session.update(data.subarray(at, Math.min(data.length, at + 65_536 + 3)));
    expect((await session.finish()).equals(local(algorithm, data))).toBe(true);
  });

  it('keeps concurrent sessions apart', async () => {
    const a = randomBytes(200_000);
    const b = randomBytes(300_000);
    const first = worker.start('sha256');
    const second = worker.start('sha256');
    first.update(a.subarray(0, 100_000));
    second.update(b);
    first.update(a.subarray(100_000));
    const [digestA, digestB] = await Promise.all([first.finish(), second.finish()]);
    expect(digestA.equals(local('sha256', a))).toBe(true);
    expect(digestB.equals(local('sha256', b))).toBe(true);
  });

  // Small bodies are hashed on the calling thread, larger ones on the worker: both must agree.
  it.each([4096, 300_000])(
    'digests shared and ordinary buffers of %i bytes in one shot without disturbing them',
    async (size) => {
      const shared = Buffer.from(new SharedArrayBuffer(size));
      randomBytes(size).copy(shared);
      const plain = randomBytes(size + 904);
      const before = Buffer.from(plain);
      expect(
        (await worker.digest('sha256', shared.subarray(10, size - 1000))).equals(
          local('sha256', Buffer.from(shared.subarray(10, size - 1000))),
        ),
      ).toBe(true);
      expect((await worker.digest('md5', plain)).equals(local('md5', plain))).toBe(true);
      expect(plain.equals(before)).toBe(true);
    },
  );
});

describe('shared-memory pieces', () => {
  it('hashes pieces in place and resolves once each is read, so the memory can be refilled', async () => {
    const shared = Buffer.from(new SharedArrayBuffer(2 * 1024 * 1024));
    const whole: Buffer[] = [];
    const session = worker.start('sha256');
    for (let round = 0; round < 3; round++) {
      randomBytes(shared.length).copy(shared);
      whole.push(Buffer.from(shared));
      await session.updateShared(shared);
    }
    session.update(Buffer.from('tail'));
    whole.push(Buffer.from('tail'));
    expect((await session.finish()).equals(local('sha256', Buffer.concat(whole)))).toBe(true);
  });
});

describe('copied pieces', () => {
  it('copies a piece at once: the caller may refill its buffer before the session is done', async () => {
    // What a socket reader does with its buffers; pieces across batch boundaries, a small tail kept.
    const reused = Buffer.alloc(300_000);
    const whole: Buffer[] = [];
    const session = worker.start('sha256');
    for (let round = 0; round < 8; round++) {
      randomBytes(reused.length).copy(reused);
      whole.push(Buffer.from(reused));
      session.update(reused);
    }
    reused.fill(0);
    expect((await session.finish()).equals(local('sha256', Buffer.concat(whole)))).toBe(true);
    // And a body too small to leave this thread, overwritten before it is finished.
    const small = Buffer.from('a small body');
    const once = worker.start('sha256');
    once.update(small);
    small.fill(0);
    expect((await once.finish()).equals(local('sha256', Buffer.from('a small body')))).toBe(true);
  });

  it('counts every byte it hashes, once', async () => {
    const counted = createDigestWorker();
    const session = counted.start('sha256');
    session.update(randomBytes(1_500_000));
    const dropped = counted.start('sha256');
    dropped.update(randomBytes(1000));
    dropped.drop();
    await session.finish();
    await counted.digest('sha256', randomBytes(70_000));
    // The dropped session's bytes never crossed to the thread: not hashed, not counted.
    expect(counted.hashedBytes).toBe(1_570_000);
    await counted.close();
  });
});

describe('files', () => {
  it('digests a file streamed from disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-digest-'));
    const data = randomBytes(9_500_000);
    await writeFile(join(dir, 'f.bin'), data);
    expect((await worker.digestFile('sha256', join(dir, 'f.bin'))).equals(local('sha256', data))).toBe(true);
    // A prefix, across the reader's buffer boundaries: what a growing file declared before it grew on.
    for (const length of [0, 1234, 4 * 1024 * 1024 + 7, 9_000_001]) {
      expect(
        (await worker.digestFile('sha256', join(dir, 'f.bin'), undefined, length)).equals(
          local('sha256', data.subarray(0, length)),
        ),
        String(length),
      ).toBe(true);
    }
    await rm(dir, { recursive: true, force: true });
  });
});

describe('checkpoints', () => {
  it('forks a session: the copy goes on from the state at the fork, independently of the original', async () => {
    const [head, tail, other] = [randomBytes(2_000_000), randomBytes(300_000), randomBytes(70_000)];
    const session = worker.start('sha256');
    session.update(head);
    const checkpoint = session.fork();
    session.update(tail);
    checkpoint.update(other);
    expect((await session.finish()).equals(local('sha256', Buffer.concat([head, tail])))).toBe(true);
    expect((await checkpoint.finish()).equals(local('sha256', Buffer.concat([head, other])))).toBe(true);
    // A fork before any byte is an empty session.
    const empty = worker.start('sha256').fork();
    empty.update(other);
    expect((await empty.finish()).equals(local('sha256', other))).toBe(true);
  });

  it('feeds a range of a file into a running session', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-digest-'));
    const data = randomBytes(5_000_000);
    await writeFile(join(dir, 'f.bin'), data);
    const session = worker.start('sha256');
    session.update(data.subarray(0, 1000));
    expect(await worker.feedFile(session, join(dir, 'f.bin'), { start: 1000, length: 4_500_000 })).toBe(4_500_000);
    expect((await session.finish()).equals(local('sha256', data.subarray(0, 4_501_000)))).toBe(true);
    await rm(dir, { recursive: true, force: true });
  });
});
