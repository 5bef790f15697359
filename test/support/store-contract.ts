import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { UploadInfo, UploadStore } from '../../src/engine/receiver/store/types';

/**
 * The contract every UploadStore must pass (file store today, S3 later). Call it from the store's
 * own test file with a factory that returns a fresh, empty store each time.
 */
export function runStoreContract(name: string, makeStore: () => Promise<UploadStore>): void {
  const now = new Date().toISOString();
  const info = (id: string, length: number | null, extra: Partial<UploadInfo> = {}): UploadInfo => ({
    id,
    length,
    metadata: Object.assign(Object.create(null), { filename: 'a.bin' }),
    status: 'created',
    createdAt: now,
    touchedAt: now,
    ...extra,
  });
  const body = (...chunks: string[]) => Readable.from(chunks.map((chunk) => Buffer.from(chunk)));

  describe(`UploadStore contract: ${name}`, () => {
    it('creates an empty upload at offset 0 and lists it', async () => {
      const store = await makeStore();
      await store.create(info('upload00001', 10));
      expect(await store.get('upload00001')).toMatchObject({ offset: 0, info: { length: 10, status: 'created' } });
      expect((await store.list()).map((item) => item.id)).toEqual(['upload00001']);
    });

    it('refuses to create the same id twice', async () => {
      const store = await makeStore();
      await store.create(info('upload00001', 10));
      await expect(store.create(info('upload00001', 10))).rejects.toMatchObject({ code: 'UPLOAD_EXISTS' });
    });

    it('appends at the stored offset only', async () => {
      const store = await makeStore();
      await store.create(info('upload00001', 10));
      expect(await store.append('upload00001', body('hello'), { offset: 0, maxBytes: 10 })).toMatchObject({
        offset: 5,
        exceeded: false,
        interrupted: false,
      });
      await expect(store.append('upload00001', body('x'), { offset: 3, maxBytes: 7 })).rejects.toMatchObject({
        code: 'OFFSET_MISMATCH',
        offset: 5,
      });
      await store.append('upload00001', body('world'), { offset: 5, maxBytes: 5 });
      expect((await store.get('upload00001'))?.offset).toBe(10);
      expect(await readFile(store.dataPath('upload00001'), 'utf8')).toBe('helloworld');
    });

    it('stores up to maxBytes and reports the excess', async () => {
      const store = await makeStore();
      await store.create(info('upload00001', 4));
      const result = await store.append('upload00001', body('abc', 'def'), { offset: 0, maxBytes: 4 });
      expect(result).toMatchObject({ offset: 4, exceeded: true });
      expect(await readFile(store.dataPath('upload00001'), 'utf8')).toBe('abcd');
    });

    it('keeps a chunk whose checksum matches and discards one that does not', async () => {
      const store = await makeStore();
      await store.create(info('upload00001', 100));
      const digest = (text: string) => createHash('sha256').update(text).digest();
      await store.append('upload00001', body('good'), {
        offset: 0,
        maxBytes: 100,
        checksum: { algorithm: 'sha256', digest: digest('good') },
      });
      await expect(
        store.append('upload00001', body('evil'), {
          offset: 4,
          maxBytes: 96,
          checksum: { algorithm: 'sha256', digest: digest('nope') },
        }),
      ).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH', offset: 4 });
      expect((await store.get('upload00001'))?.offset).toBe(4);
    });

    it('keeps every byte of an interrupted append', async () => {
      const store = await makeStore();
      await store.create(info('upload00001', 100));
      const controller = new AbortController();
      const source = new Readable({ read() {} });
      const appending = store.append('upload00001', source, { offset: 0, maxBytes: 100, signal: controller.signal });
      source.push(Buffer.from('0123456789'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      controller.abort();
      expect(await appending).toMatchObject({ offset: 10, interrupted: true });
      expect((await store.get('upload00001'))?.offset).toBe(10);
    });

    it('updates records without losing fields under concurrent updates', async () => {
      const store = await makeStore();
      await store.create(info('upload00001', 10));
      await Promise.all([
        store.update('upload00001', { status: 'paused' }),
        store.update('upload00001', { placedPath: 'x/y' }),
      ]);
      expect((await store.get('upload00001'))?.info).toMatchObject({ status: 'paused', placedPath: 'x/y' });
    });

    it('concatenates partial uploads in order', async () => {
      const store = await makeStore();
      for (const [id, text] of [
        ['partial0001', 'abc'],
        ['partial0002', 'defg'],
      ] as const) {
        await store.create(info(id, text.length, { concat: { kind: 'partial' } }));
        await store.append(id, body(text), { offset: 0, maxBytes: text.length });
      }
      await store.create(info('final000001', 7, { concat: { kind: 'final', parts: ['partial0001', 'partial0002'] } }));
      expect(await store.concatenate('final000001', ['partial0001', 'partial0002'])).toBe(7);
      expect(await readFile(store.dataPath('final000001'), 'utf8')).toBe('abcdefg');
    });

    it('makes a one-part final upload whose bytes outlive the part', async () => {
      const store = await makeStore();
      await store.create(info('partial0001', 5, { concat: { kind: 'partial' } }));
      await store.append('partial0001', body('hello'), { offset: 0, maxBytes: 5 });
      await store.create(info('final000001', 5, { concat: { kind: 'final', parts: ['partial0001'] } }));
      expect(await store.concatenate('final000001', ['partial0001'])).toBe(5);
      // The part is still whole until the final is done with it, then it lets go.
      expect(await store.get('partial0001')).toMatchObject({ offset: 5 });
      await store.releaseData('partial0001');
      expect(await readFile(store.dataPath('final000001'), 'utf8')).toBe('hello');
    });

    it('releases data but keeps answering for the record', async () => {
      const store = await makeStore();
      await store.create(info('upload00001', 3));
      await store.append('upload00001', body('abc'), { offset: 0, maxBytes: 3 });
      await store.update('upload00001', { status: 'completed' });
      await store.releaseData('upload00001');
      expect(await store.get('upload00001')).toMatchObject({ offset: 3, info: { dataReleased: true } });
    });

    it('keeps finished records out of the active list, and lists them newest first', async () => {
      const store = await makeStore();
      for (const id of ['upload00001', 'upload00002', 'upload00003']) {
        await store.create(info(id, 3));
        await store.append(id, body('abc'), { offset: 0, maxBytes: 3 });
      }
      await store.update('upload00001', { status: 'completed', placedPath: 'a.bin', dataReleased: true });
      await new Promise((resolve) => setTimeout(resolve, 5));
      await store.releaseData('upload00002', { status: 'expired' });
      expect((await store.listActive()).map((item) => item.id)).toEqual(['upload00003']);
      expect((await store.listFinished(10)).map((item) => item.id)).toEqual(['upload00002', 'upload00001']);
      expect((await store.listFinished(1)).map((item) => item.id)).toEqual(['upload00002']);
      expect((await store.list()).map((item) => item.id).sort()).toEqual(['upload00001', 'upload00002', 'upload00003']);
      expect(await store.get('upload00001')).toMatchObject({
        offset: 3,
        info: { status: 'completed', finishedAt: expect.any(String) },
      });
    });

    it('removes an upload entirely', async () => {
      const store = await makeStore();
      await store.create(info('upload00001', 3));
      await store.remove('upload00001');
      expect(await store.get('upload00001')).toBeUndefined();
      expect(await store.list()).toEqual([]);
    });

    it('reports free space as a number', async () => {
      const store = await makeStore();
      expect(typeof (await store.freeBytes())).toBe('number');
    });
  });
}
