import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../../../../test/support/files';
import { sha256Of } from '../../../../test/support/multipart-test-server';
import { createInlineDigestWorker } from '../../crypto/inline-digest';
import { heldPartBytes, holdBulkPart, streamBulkPart, type BulkStaging } from './bulk-held-part';
import { createSyncGroup } from './bulk-sync-group';

/** A part that arrives in many tiny pieces, as from a sender on a slow, chatty link. */
const trickle = (pieces: Buffer[]) => Readable.from(pieces, { objectMode: false });

const piecesOf = (count: number, size: number) => Array.from({ length: count }, () => randomBytes(size));

let dir: string | undefined;
afterEach(async () => {
  await removeDir(dir);
  dir = undefined;
});

function stagingIn(stagingDir: string): BulkStaging {
  const syncGroup = createSyncGroup({ durable: true });
  let next = 0;
  return {
    stagingDir,
    stagedName: () => `part-${++next}`,
    maxFileSize: 1024 * 1024 * 1024,
    durable: true,
    digests: createInlineDigestWorker(),
    syncGroup,
    touch: () => undefined,
  };
}

describe('holdBulkPart and streamBulkPart', () => {
  it('a part of many tiny pieces within the held size is not held past 1024 of them: it goes on to disk whole', async () => {
    dir = await makeTempDir('held-part');
    const pieces = piecesOf(1500, 64);
    const content = Buffer.concat(pieces);
    expect(content.length).toBeLessThan(heldPartBytes);
    const stream = trickle(pieces);

    const started = await holdBulkPart(stream, sha256Of(content), content.length);
    expect(started.whole).toBe(false);
    if (started.whole) return;
    expect(started.held.chunks).toHaveLength(1024);
    expect(started.held.size).toBe(1024 * 64);

    const staging = stagingIn(dir);
    const stagedPaths: string[] = [];
    const landing = streamBulkPart(stream, started, sha256Of(content), staging, (path) => stagedPaths.push(path));
    staging.syncGroup.end();
    const staged = await landing;
    expect(staged).toMatchObject({ size: content.length, sha256: sha256Of(content) });
    expect(stagedPaths).toEqual([staged.stagedPath]);
    expect((await readFile(staged.stagedPath)).equals(content)).toBe(true);
  });

  it('a spilled part whose bytes do not match the declared sha256 fails, and names the staged file to remove', async () => {
    dir = await makeTempDir('held-part');
    const pieces = piecesOf(1100, 32);
    const stream = trickle(pieces);
    const declared = sha256Of(Buffer.from('something else'));
    const started = await holdBulkPart(stream, declared, 1024 * 1024);
    expect(started.whole).toBe(false);
    if (started.whole) return;

    const staging = stagingIn(dir);
    const stagedPaths: string[] = [];
    staging.syncGroup.end();
    await expect(
      streamBulkPart(stream, started, declared, staging, (path) => stagedPaths.push(path)),
    ).rejects.toMatchObject({
      code: 'SHA256_MISMATCH',
    });
    expect(stagedPaths).toHaveLength(1);
    expect(await readdir(dir)).toEqual(['part-1.part']);
  });

  it('a part of fewer pieces that ends within the held size is whole and checked, with no disk call', async () => {
    const pieces = piecesOf(600, 64);
    const content = Buffer.concat(pieces);
    const whole = await holdBulkPart(trickle(pieces), sha256Of(content), content.length);
    expect(whole).toMatchObject({ whole: true, size: content.length, sha256: sha256Of(content) });
    if (!whole.whole) return;
    expect(Buffer.concat(whole.chunks).equals(content)).toBe(true);
    await expect(holdBulkPart(trickle(pieces), sha256Of(Buffer.from('x')), content.length)).rejects.toMatchObject({
      code: 'SHA256_MISMATCH',
    });
  });
});
