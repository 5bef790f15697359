// A bulk request's small parts are held in memory and checked before any disk call (bulk-held-part.ts);
// a part past the held size streams to disk as a big file does, and lands the same.
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bulkPart,
  closingBoundary,
  sendBulk,
  sha256Of,
  stagedPartsLeft,
  type BulkFile,
} from '../../../../test/support/multipart-test-server';
import {
  listFiles,
  removeBase,
  startReceiver,
  token,
  type TestReceiver,
} from '../../../../test/support/tus-test-client';
import { heldPartBytes } from './bulk-held-part';

interface BulkAnswer {
  files: Array<{ name: string; status: string; size?: number; error?: { code: string } }>;
}

async function postBulk(url: string, files: BulkFile[]): Promise<{ status: number; body: BulkAnswer }> {
  const response = await sendBulk(url, Buffer.concat([...files.map(bulkPart), closingBoundary]), token);
  return { status: response.status, body: (await response.json()) as BulkAnswer };
}

const stagingOf = (t: TestReceiver) => path.join(t.dir, '.ferry', 'multipart');

let t: TestReceiver | undefined;
afterEach(async () => {
  await removeBase(t);
  t = undefined;
});

describe('bulk parts held in memory', () => {
  it('a part that does not match its sha256, or is over the size limit, never reaches the disk', async () => {
    t = await startReceiver({ multipartLimits: { maxFileSize: 3000 } });
    const { status, body } = await postBulk(t.url, [
      { name: 'lie.bin', content: randomBytes(1000), sha256: sha256Of(Buffer.from('other')) },
      { name: 'big.bin', content: randomBytes(5000) },
    ]);
    expect(status).toBe(207);
    expect(body.files.map((file) => [file.name, file.error?.code])).toEqual([
      ['lie.bin', 'SHA256_MISMATCH'],
      ['big.bin', 'FILE_TOO_LARGE'],
    ]);
    // Not even the staging folder was made: no staged file was ever opened.
    await expect(stat(stagingOf(t))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await listFiles(t.dir)).toEqual([]);
  });

  it('parts at, just past and far past the held size land whole, byte for byte', async () => {
    t = await startReceiver();
    const sizes = [0, heldPartBytes - 1, heldPartBytes, heldPartBytes + 1, 4 * heldPartBytes + 7];
    const files = sizes.map((size, i) => ({ name: `f${i}.bin`, content: randomBytes(size), key: `k${i}` }));
    const { status, body } = await postBulk(t.url, files);
    expect(status).toBe(201);
    expect(body.files.map((file) => file.size)).toEqual(sizes);
    for (const file of files)
      expect(sha256Of(await readFile(path.join(t.dir, file.name)))).toBe(sha256Of(file.content));
    expect(await stagedPartsLeft(t.dir)).toEqual([]);
  });

  it('a big part that does not match fails alone and leaves no staged file; the parts around it land', async () => {
    t = await startReceiver();
    const files: BulkFile[] = [
      { name: 'a.bin', content: randomBytes(2000) },
      { name: 'lie.bin', content: randomBytes(3 * heldPartBytes), sha256: sha256Of(Buffer.from('other')) },
      { name: 'b.bin', content: randomBytes(2 * heldPartBytes) },
    ];
    const { status, body } = await postBulk(t.url, files);
    expect(status).toBe(207);
    expect(body.files.map((file) => [file.name, file.status, file.error?.code])).toEqual([
      ['a.bin', 'landed', undefined],
      ['lie.bin', 'failed', 'SHA256_MISMATCH'],
      ['b.bin', 'landed', undefined],
    ]);
    expect(await listFiles(t.dir)).toEqual(['a.bin', 'b.bin']);
    expect(await stagedPartsLeft(t.dir)).toEqual([]);
  });
});
