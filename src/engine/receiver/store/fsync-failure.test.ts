import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileStore } from './file-store';
import type { StoreFs } from './store-fs';
import type { UploadInfo, UploadStore } from './types';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const eio = () => Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
const part = (id: string): UploadInfo => {
  const now = new Date().toISOString();
  // A lone named part: the store keeps its running sha256.
  return {
    id,
    length: 3000,
    metadata: Object.assign(Object.create(null), { filename: 'a.bin' }),
    status: 'created',
    createdAt: now,
    touchedAt: now,
    concat: { kind: 'partial' },
  };
};
const checksum = (data: Buffer) => ({
  algorithm: 'sha256' as const,
  digest: createHash('sha256').update(data).digest(),
});

/** A store whose next fsync (or fdatasync) of a data file fails once `fail.armed` is set. */
async function storeWithFlakyDisk(): Promise<{ store: UploadStore; fail: { armed: boolean; kind: keyof StoreFs } }> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-eio-'));
  dirs.push(dir);
  const fail = { armed: false, kind: 'sync' as keyof StoreFs };
  const flaky =
    (kind: keyof StoreFs) => async (handle: { sync(): Promise<void>; datasync(): Promise<void> }, path: string) => {
      if (fail.armed && fail.kind === kind && !path.endsWith('.pending')) {
        fail.armed = false;
        throw eio();
      }
      await handle[kind]();
    };
  const store = createFileStore({ dir, fs: { sync: flaky('sync'), datasync: flaky('datasync') } });
  await store.init();
  return { store, fail };
}

describe('an fsync that fails (EIO)', () => {
  it('answers 500, keeps only the last durable offset and drops the running digest', async () => {
    const { store, fail } = await storeWithFlakyDisk();
    await store.create(part('eiopart0001'));
    const first = Buffer.alloc(1000, 1);
    await store.append('eiopart0001', Readable.from([first]), { offset: 0, maxBytes: 3000, checksum: checksum(first) });
    fail.armed = true;
    const second = Buffer.alloc(1000, 2);
    const failed = store.append('eiopart0001', Readable.from([second]), {
      offset: 1000,
      maxBytes: 2000,
      checksum: checksum(second),
    });
    // A neutral error: what was kept, no HTTP status (the tus error table answers it).
    await expect(failed).rejects.toMatchObject({
      name: 'StoreError',
      code: 'STORAGE_FAILED',
      offset: 1000,
      status: undefined,
    });
    expect((await store.get('eiopart0001'))?.offset).toBe(1000);
    // The digest that saw the lost chunk is gone: a seal now reads the file.
    expect(await store.sha256Of!('eiopart0001', 1000)).toBeUndefined();
  });

  it('counts an unchecksummed body only up to its last good flush', async () => {
    const { store, fail } = await storeWithFlakyDisk();
    await store.create(part('eiopart0002'));
    const source = new Readable({ read() {} });
    const progress: number[] = [];
    const appending = store.append('eiopart0002', source, {
      offset: 0,
      maxBytes: 3000,
      onProgress: (offset) => progress.push(offset),
    });
    source.push(Buffer.alloc(500, 1));
    // Flushed in the background once a second has gone by since the start, at the next write.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    source.push(Buffer.alloc(300, 2));
    await new Promise((resolve) => setTimeout(resolve, 100));
    fail.armed = true;
    source.push(Buffer.alloc(200, 3));
    source.push(null);
    await expect(appending).rejects.toMatchObject({ code: 'STORAGE_FAILED', offset: 800 });
    expect((await store.get('eiopart0002'))?.offset).toBe(800);
    expect(Math.max(...progress)).toBe(800);
  });

  it('a failed background flush rolls back to the flush before it', async () => {
    const { store, fail } = await storeWithFlakyDisk();
    await store.create(part('eiopart0003'));
    const source = new Readable({ read() {} });
    const appending = store.append('eiopart0003', source, { offset: 0, maxBytes: 3000 });
    fail.kind = 'datasync';
    fail.armed = true;
    source.push(Buffer.alloc(600, 1));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    source.push(Buffer.alloc(400, 2));
    await new Promise((resolve) => setTimeout(resolve, 100));
    source.push(null);
    await expect(appending).rejects.toMatchObject({ code: 'STORAGE_FAILED', offset: 0 });
    expect((await store.get('eiopart0003'))?.offset).toBe(0);
  });
});
