import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createInlineDigestWorker } from '../../crypto/inline-digest';
import { createFileStore } from './file-store';
import { formatMarker } from './rollback-marker';
import { runStoreContract } from '../../../../test/support/store-contract';
import type { UploadInfo } from './types';

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-store-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

runStoreContract('file store', async () => {
  const store = createFileStore({ dir: await freshDir() });
  await store.init();
  return store;
});

const record = (id: string, length: number): UploadInfo => {
  const now = new Date().toISOString();
  return { id, length, metadata: Object.create(null), status: 'created', createdAt: now, touchedAt: now };
};

describe('file store startup reconciliation', () => {
  it('quarantines a torn info file and a data file without a record', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'tornupload1'), 'data');
    await writeFile(join(dir, 'tornupload1.info'), '{"id":"tornup');
    await writeFile(join(dir, 'orphanupload'), 'data');
    const store = createFileStore({ dir });
    const report = await store.init();
    expect(report.quarantined.sort()).toEqual(['orphanupload', 'tornupload1']);
    expect(await store.list()).toEqual([]);
    expect((await readdir(join(dir, 'quarantine'))).length).toBe(3);
  });

  it('truncates a data file longer than its length', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'longupload1'), '0123456789');
    await writeFile(join(dir, 'longupload1.info'), JSON.stringify(record('longupload1', 4)));
    const store = createFileStore({ dir });
    expect((await store.init()).truncated).toEqual(['longupload1']);
    expect((await store.get('longupload1'))?.offset).toBe(4);
  });

  it('rolls back an unverified checksummed chunk left by a crash', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'crashupload'), 'verifiedUNVERIFIED');
    await writeFile(join(dir, 'crashupload.info'), JSON.stringify(record('crashupload', 100)));
    const checksum = {
      algorithm: 'sha256' as const,
      digest: createHash('sha256').update('the chunk the client sent').digest(),
    };
    await writeFile(join(dir, 'crashupload.pending'), formatMarker({ start: 8, length: 10, checksum }));
    const store = createFileStore({ dir });
    expect((await store.init()).rolledBack).toEqual(['crashupload']);
    expect(await readFile(join(dir, 'crashupload'), 'utf8')).toBe('verified');
  });

  it('ignores a temp info file from a crash before rename: the old record still stands', async () => {
    const dir = await freshDir();
    const store = createFileStore({ dir });
    await store.init();
    await store.create(record('tempupload1', 10));
    await store.append('tempupload1', Readable.from([Buffer.from('abc')]), { offset: 0, maxBytes: 10 });
    await writeFile(join(dir, '.tempupload1.info.123.abc.tmp'), '{"half":');
    const reopened = createFileStore({ dir });
    await reopened.init();
    expect(await reopened.get('tempupload1')).toMatchObject({ offset: 3, info: { length: 10 } });
    expect((await readdir(dir)).some((name) => name.endsWith('.tmp'))).toBe(false);
  });

  it('reports uploads caught mid-finalization', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'finalupload'), 'abc');
    await writeFile(join(dir, 'finalupload.info'), JSON.stringify({ ...record('finalupload', 3), finalizing: true }));
    const store = createFileStore({ dir });
    expect((await store.init()).unfinalized).toEqual(['finalupload']);
  });

  it('keeps metadata in a null-prototype object after a restart', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'protoupload'), '');
    await writeFile(
      join(dir, 'protoupload.info'),
      JSON.stringify({ ...record('protoupload', 3), metadata: { filename: 'x' } }),
    );
    const store = createFileStore({ dir });
    await store.init();
    const metadata = (await store.get('protoupload'))!.info.metadata;
    expect(Object.getPrototypeOf(metadata)).toBeNull();
  });
});

describe('file store concatenation', () => {
  it("shares a single part's bytes with the final upload instead of copying them", async () => {
    const store = createFileStore({ dir: await freshDir() });
    await store.init();
    await store.create({ ...record('partupload1', 4), concat: { kind: 'partial' } });
    await store.append('partupload1', Readable.from([Buffer.from('data')]), { offset: 0, maxBytes: 4 });
    await store.create({ ...record('finalupload', 4), concat: { kind: 'final', parts: ['partupload1'] } });
    await store.concatenate('finalupload', ['partupload1']);
    const [part, final] = await Promise.all([stat(store.dataPath('partupload1')), stat(store.dataPath('finalupload'))]);
    expect(final.ino).toBe(part.ino);
    expect(final.nlink).toBe(2);
    // No temp name is left behind for startup to clean.
    expect((await readdir(dirname(store.dataPath('finalupload')))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('file store running digest', () => {
  it('hashes a named part as checksummed chunks arrive, so its sha256 needs no second read', async () => {
    const store = createFileStore({ dir: await freshDir() });
    await store.init();
    await store.create({
      ...record('partupload2', 8),
      metadata: Object.assign(Object.create(null), { filename: 'a.bin' }),
      concat: { kind: 'partial' },
    });
    for (const [offset, text] of [
      [0, 'abcd'],
      [4, 'efgh'],
    ] as const) {
      const checksum = { algorithm: 'sha256' as const, digest: createHash('sha256').update(text).digest() };
      await store.append('partupload2', Readable.from([Buffer.from(text)]), { offset, maxBytes: 8 - offset, checksum });
    }
    expect(await store.sha256Of!('partupload2', 8)).toBe(createHash('sha256').update('abcdefgh').digest('hex'));
  });

  it('with the hash on its own thread, checks each byte once as it arrives and needs no second read', async () => {
    const digests = createInlineDigestWorker();
    const store = createFileStore({ dir: await freshDir(), digests });
    await store.init();
    const body = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 253));
    const sha256 = createHash('sha256').update(body).digest('hex');
    const info = { ...record('declared01', body.length), metadata: Object.assign(Object.create(null), { sha256 }) };
    await store.create(info);
    // A first append persists the record; the running digest follows from there.
    await store.append('declared01', Readable.from([body.subarray(0, 70_000)]), { offset: 0, maxBytes: body.length });
    const chunks = [body.subarray(70_000, 135_000), body.subarray(135_000)];
    await store.append('declared01', Readable.from(chunks), { offset: 70_000, maxBytes: body.length - 70_000 });
    const hashedBeforeCheck = digests.hashedBytes;
    expect(await store.sha256Of!('declared01', body.length)).toBe(sha256);
    expect(digests.hashedBytes).toBe(hashedBeforeCheck);
    expect(hashedBeforeCheck).toBe(body.length);
    expect(await readFile(store.dataPath('declared01'))).toEqual(body);
  });
});

describe('file store settled()', () => {
  it('resolves only once the record write an append starts without waiting (its touch) is on disk', async () => {
    const dir = await freshDir();
    const store = createFileStore({ dir, digests: createInlineDigestWorker() });
    await store.init();
    const old = '2020-01-01T00:00:00.000Z';
    await store.create({ ...record('touched1', 100), createdAt: old, touchedAt: old });
    await store.append('touched1', Readable.from([Buffer.alloc(10, 1)]), { offset: 0, maxBytes: 100 });
    await store.settled();
    const onDisk = JSON.parse(await readFile(join(dir, 'touched1.info'), 'utf8')) as UploadInfo;
    expect(onDisk.touchedAt).not.toBe(old);
    expect(onDisk.touchedAt).toBe((await store.get('touched1'))!.info.touchedAt);
  });
});
