import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileStore } from './file-store';
import { formatMarker, parseMarker } from './rollback-marker';
import type { UploadInfo } from './types';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const acknowledged = Buffer.from('0123456789'.repeat(100));
const record = (id: string): UploadInfo => {
  const now = new Date().toISOString();
  return { id, length: 4000, metadata: Object.create(null), status: 'paused', createdAt: now, touchedAt: now };
};
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();

/** A store folder as a power cut leaves it: acknowledged bytes, maybe a chunk after them, and a marker. */
async function afterPowerCut(marker: string, chunk = Buffer.alloc(0)): Promise<{ dir: string; id: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-marker-'));
  dirs.push(dir);
  const id = 'markedupload';
  await writeFile(join(dir, id), Buffer.concat([acknowledged, chunk]));
  await writeFile(join(dir, `${id}.info`), JSON.stringify(record(id)));
  await writeFile(join(dir, `${id}.pending`), marker);
  return { dir, id };
}

async function offsetAfterStartup(dir: string, id: string): Promise<number> {
  const store = createFileStore({ dir });
  await store.init();
  return (await store.get(id))!.offset;
}

describe('rollback marker after a power cut', () => {
  it('an empty marker keeps the acknowledged bytes (it was cut while being written, before its chunk)', async () => {
    const { dir, id } = await afterPowerCut('');
    expect(await offsetAfterStartup(dir, id)).toBe(acknowledged.length);
    expect(await readFile(join(dir, id))).toEqual(acknowledged);
  });

  it('a torn marker keeps the acknowledged bytes: a prefix of a number is no offset', async () => {
    // "10" is what is left of a marker that was to say 1000.
    const { dir, id } = await afterPowerCut('10');
    expect(await offsetAfterStartup(dir, id)).toBe(acknowledged.length);
  });

  it('a whole marker still cuts off an unverified chunk', async () => {
    const chunk = Buffer.from('half of a chunk');
    const { dir, id } = await afterPowerCut(
      formatMarker({ start: acknowledged.length, length: 100, checksum: { algorithm: 'sha256', digest: sha256('x') } }),
      chunk,
    );
    expect(await offsetAfterStartup(dir, id)).toBe(acknowledged.length);
  });

  it('a marker that came back although its chunk was verified keeps the chunk', async () => {
    const chunk = Buffer.from('a verified chunk');
    const { dir, id } = await afterPowerCut(
      formatMarker({
        start: acknowledged.length,
        length: chunk.length,
        checksum: { algorithm: 'sha256', digest: sha256(chunk) },
      }),
      chunk,
    );
    expect(await offsetAfterStartup(dir, id)).toBe(acknowledged.length + chunk.length);
  });

  it('parses only whole marker lines', () => {
    const line = formatMarker({ start: 1234, checksum: { algorithm: 'md5', digest: Buffer.from([1, 2, 3]) } });
    expect(parseMarker(line)).toMatchObject({ start: 1234, checksum: { algorithm: 'md5' } });
    for (const cut of [0, 5, 20, line.length - 1]) expect(parseMarker(line.slice(0, cut))).toBeUndefined();
    expect(parseMarker('1234')).toBeUndefined();
  });
});
