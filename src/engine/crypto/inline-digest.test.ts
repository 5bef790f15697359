import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../../../test/support/files';
import { createInlineDigestWorker } from './inline-digest';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251));

let dir: string | undefined;
afterEach(async () => {
  await removeDir(dir);
  dir = undefined;
});

describe('inline digest worker', () => {
  it('hashes each piece as it is given, so the caller may overwrite it at once', async () => {
    const worker = createInlineDigestWorker();
    const session = worker.start('sha256');
    const piece = Buffer.from(bytes.subarray(0, 1000));
    const hashed = session.updateShared(piece);
    piece.fill(0);
    await hashed;
    session.update(bytes.subarray(1000));
    expect((await session.finish()).toString('hex')).toBe(sha256(bytes));
    expect(worker.hashedBytes).toBe(bytes.length);
  });

  it('forks a checkpoint that goes on independently', async () => {
    const worker = createInlineDigestWorker();
    const session = worker.start('sha256');
    session.update(bytes.subarray(0, 10));
    const checkpoint = session.fork();
    session.update(bytes.subarray(10, 20));
    checkpoint.update(bytes.subarray(10, 30));
    expect((await session.finish()).toString('hex')).toBe(sha256(bytes.subarray(0, 20)));
    expect((await checkpoint.finish()).toString('hex')).toBe(sha256(bytes.subarray(0, 30)));
  });

  it('refuses to finish a dropped session', async () => {
    const session = createInlineDigestWorker().start('sha256');
    session.drop();
    await expect(session.finish()).rejects.toThrow(/Unknown digest session/);
  });

  it('reads a range of a file into a session, and a whole file', async () => {
    dir = await makeTempDir('inline-digest');
    const path = join(dir, 'data.bin');
    await writeFile(path, bytes);
    const worker = createInlineDigestWorker();
    const session = worker.start('sha256');
    expect(await worker.feedFile(session, path, { start: 100, length: 200_000 })).toBe(200_000);
    expect((await session.finish()).toString('hex')).toBe(sha256(bytes.subarray(100, 200_100)));
    expect((await worker.digestFile('sha256', path, undefined, 5000)).toString('hex')).toBe(
      sha256(bytes.subarray(0, 5000)),
    );
    const stopped = new AbortController();
    stopped.abort();
    await expect(worker.digestFile('sha256', path, stopped.signal)).rejects.toThrow();
  });
});
