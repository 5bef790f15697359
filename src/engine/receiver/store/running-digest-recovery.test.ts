import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createDigestWorker } from '../../crypto/digest-worker';
import { createFileStore } from './file-store';
import type { UploadInfo } from './types';

const worker = createDigestWorker();
const dirs: string[] = [];
afterAll(async () => {
  await worker.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-digest-'));
  dirs.push(dir);
  return dir;
}

const data = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff));
const hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const checksum = (bytes: Buffer) => ({
  algorithm: 'sha256' as const,
  digest: createHash('sha256').update(bytes).digest(),
});
const part = (id: string): UploadInfo => {
  const now = new Date().toISOString();
  return {
    id,
    length: data.length,
    metadata: Object.assign(Object.create(null), { filename: 'a.bin' }),
    status: 'created',
    createdAt: now,
    touchedAt: now,
    concat: { kind: 'partial' },
  };
};
const chunk = (from: number, to: number) => Readable.from([data.subarray(from, to)]);

describe('the running digest of a part', () => {
  it('survives a chunk answered 460 and one cut short: the seal needs no read of the file', async () => {
    // Reads from disk into a digest are counted: a kept digest needs none.
    let reads = 0;
    const counting = {
      ...worker,
      feedFile: (...args: Parameters<typeof worker.feedFile>) => (reads++, worker.feedFile(...args)),
    };
    const store = createFileStore({ dir: await freshDir(), digests: counting });
    await store.init();
    await store.create(part('rolledback1'));
    await store.append('rolledback1', chunk(0, 1000), {
      offset: 0,
      maxBytes: 3000,
      checksum: checksum(data.subarray(0, 1000)),
    });
    // The wrong checksum: the chunk is discarded.
    await expect(
      store.append('rolledback1', chunk(1000, 2000), {
        offset: 1000,
        maxBytes: 2000,
        checksum: checksum(data.subarray(0, 1000)),
      }),
    ).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    // A sender that stalls: half a chunk, then its connection goes.
    const stalled = new Readable({ read() {} });
    const appending = store.append('rolledback1', stalled, {
      offset: 1000,
      maxBytes: 2000,
      checksum: checksum(data.subarray(1000, 2000)),
    });
    stalled.push(data.subarray(1000, 1500));
    await new Promise((resolve) => setTimeout(resolve, 30));
    stalled.destroy();
    expect(await appending).toMatchObject({ offset: 1000, interrupted: true });
    await store.append('rolledback1', chunk(1000, 2000), {
      offset: 1000,
      maxBytes: 2000,
      checksum: checksum(data.subarray(1000, 2000)),
    });
    await store.append('rolledback1', chunk(2000, 3000), {
      offset: 2000,
      maxBytes: 1000,
      checksum: checksum(data.subarray(2000, 3000)),
    });
    expect(await store.sha256Of!('rolledback1', data.length)).toBe(hex(data));
    expect(reads).toBe(0);
  });

  it('is rebuilt after a restart from the bytes on disk, in the background, while the rest arrives', async () => {
    const dir = await freshDir();
    const before = createFileStore({ dir, digests: worker });
    await before.init();
    await before.create(part('restarted01'));
    await before.append('restarted01', chunk(0, 1000), { offset: 0, maxBytes: 3000 });
    const after = createFileStore({ dir, digests: worker });
    await after.init();
    await after.append('restarted01', chunk(1000, 2000), {
      offset: 1000,
      maxBytes: 2000,
      checksum: checksum(data.subarray(1000, 2000)),
    });
    await after.append('restarted01', chunk(2000, 3000), { offset: 2000, maxBytes: 1000 });
    expect(await after.sha256Of!('restarted01', data.length)).toBe(hex(data));
  });

  it('is rebuilt for a part that finished before the restart, when asked to warm it', async () => {
    const dir = await freshDir();
    const before = createFileStore({ dir, digests: worker });
    await before.init();
    await before.create(part('warmedpart1'));
    await before.append('warmedpart1', chunk(0, 3000), { offset: 0, maxBytes: 3000 });
    await before.update('warmedpart1', { status: 'completed' });
    const after = createFileStore({ dir, digests: worker });
    await after.init();
    expect(after.warmSha256).toBeDefined();
    after.warmSha256!('warmedpart1');
    expect(await after.sha256Of!('warmedpart1', data.length)).toBe(hex(data));
  });
});

describe('status writes', () => {
  it('a late paused never overwrites completed', async () => {
    const store = createFileStore({ dir: await freshDir(), digests: worker });
    await store.init();
    await store.create(part('latepaused1'));
    await store.update('latepaused1', { status: 'completed' });
    await store.update('latepaused1', { status: 'paused' });
    expect((await store.get('latepaused1'))?.info.status).toBe('completed');
  });
});
