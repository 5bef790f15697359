import { createHash, randomBytes } from 'node:crypto';
import { fstatSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placedHash, receiverForFile, sha256, stateDirOf } from './support/fixtures';
import { call, createUpload, headOffset, patch } from './support/http-kit';

// The disk reports EIO on the fsync before an acknowledgement. What was written but not synced may
// never reach the disk: it must not count (offset, progress, running digest), and the answer is a 5xx.
const running = receiverForFile();

/** Fails the next fsync of the file with this inode, once. */
const fault = { inode: -1 };
let restore = () => {};
beforeAll(async () => {
  const probe = await open(process.execPath, 'r');
  const prototype = Object.getPrototypeOf(probe) as { sync(this: { fd: number }): Promise<void> };
  await probe.close();
  const original = prototype.sync;
  prototype.sync = function (this: { fd: number }) {
    if (fault.inode >= 0 && fstatSync(this.fd).ino === fault.inode) {
      fault.inode = -1;
      return Promise.reject(
        Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO', errno: -5, syscall: 'fsync' }),
      );
    }
    return original.call(this);
  };
  restore = () => (prototype.sync = original);
});
afterAll(() => restore());

const checksumOf = (data: Buffer) => `sha256 ${createHash('sha256').update(data).digest('base64')}`;

describe('an fsync that fails with EIO during a PATCH', () => {
  it('answers 500 with the last durable offset, HEAD agrees, and the file still lands whole', async () => {
    const source = randomBytes(600_000);
    const id = await createUpload(running.target, source.length, { filename: 'eio.bin', sha256: sha256(source) });
    const first = source.subarray(0, 200_000);
    expect((await patch(running.target, id, 0, first, { 'Upload-Checksum': checksumOf(first) })).status).toBe(204);

    const second = source.subarray(200_000, 400_000);
    fault.inode = (await stat(join(stateDirOf(running.dir), id))).ino;
    const failed = await patch(running.target, id, 200_000, second, { 'Upload-Checksum': checksumOf(second) });
    expect(fault.inode, 'the fault fired').toBe(-1);
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect([failed.status, failed.headers['x-ferry-error'], failed.headers['upload-offset']]).toEqual([
      500,
      'STORAGE_FAILED',
      '200000',
    ]);
    expect(await headOffset(running.target, id)).toBe(200_000);
    expect((await stat(join(stateDirOf(running.dir), id))).size).toBe(200_000);
    // The hub never counted the lost chunk either.
    expect(running.receiver.hub.get(id)?.offset).toBe(200_000);

    const rest = source.subarray(200_000);
    expect((await patch(running.target, id, 200_000, rest, { 'Upload-Checksum': checksumOf(rest) })).status).toBe(204);
    expect(await placedHash(running.dir, 'eio.bin')).toBe(sha256(source));
  });

  it('without a checksum, keeps nothing the failed fsync may have lost', async () => {
    const source = randomBytes(300_000);
    const id = await createUpload(running.target, source.length, { filename: 'eio-plain.bin' });
    fault.inode = (await stat(join(stateDirOf(running.dir), id))).ino;
    const failed = await patch(running.target, id, 0, source.subarray(0, 100_000));
    expect([failed.status, failed.headers['upload-offset']]).toEqual([500, '0']);
    expect(await headOffset(running.target, id)).toBe(0);
    expect((await call(running.target, 'GET', '/healthz')).status).toBe(200);
    expect((await patch(running.target, id, 0, source)).status).toBe(204);
    expect(await placedHash(running.dir, 'eio-plain.bin')).toBe(sha256(source));
  });
});
