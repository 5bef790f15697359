/**
 * The store throws neutral errors; tus turns them into answers in one table. These pin the answers a
 * client sees for what the store refuses: status, code, body, and the offset the store kept.
 */
import { createHash } from 'node:crypto';
import { fstatSync } from 'node:fs';
import { open as openFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, octet, patch, receiverForAll, send } from '../../../../test/support/tus-test-client';

const t = receiverForAll();

/** Fails the next write to the file with this inode, once, with this errno code. */
const fault = { inode: -1, code: '' };
let restore = () => {};
beforeAll(async () => {
  const probe = await openFile(process.execPath, 'r');
  type Writev = (this: { fd: number }, ...args: unknown[]) => Promise<unknown>;
  const prototype = Object.getPrototypeOf(probe) as { writev: Writev };
  await probe.close();
  const original = prototype.writev;
  prototype.writev = function (this: { fd: number }, ...args: unknown[]) {
    if (fault.inode >= 0 && fstatSync(this.fd).ino === fault.inode) {
      fault.inode = -1;
      return Promise.reject(Object.assign(new Error(`${fault.code}: write`), { code: fault.code, syscall: 'write' }));
    }
    return original.apply(this, args);
  };
  restore = () => (prototype.writev = original);
});
afterAll(() => restore());

const sha1 = (data: string) => `sha1 ${createHash('sha1').update(data).digest('base64')}`;

function answerOf(reply: Awaited<ReturnType<typeof send>>) {
  const { headers } = reply;
  return {
    status: reply.status,
    body: reply.body,
    code: headers['x-ferry-error'],
    offset: headers['upload-offset'],
    type: headers['content-type'],
    tus: headers['tus-resumable'],
  };
}

describe('answers to what the store refuses', () => {
  it('an offset that is not the stored one: 409 OFFSET_MISMATCH with the stored offset', async () => {
    const location = await create(t.endpoint, { 'Upload-Length': 10 });
    await patch(location, 0, 'ab');
    expect(answerOf(await patch(location, 1, 'xyz'))).toEqual({
      status: 409,
      body: 'OFFSET_MISMATCH: Upload-Offset does not match the stored offset\n',
      code: 'OFFSET_MISMATCH',
      offset: '2',
      type: 'text/plain; charset=utf-8',
      tus: '1.0.0',
    });
  });

  it('a chunk whose checksum does not match: 460 CHECKSUM_MISMATCH with the offset before it', async () => {
    const location = await create(t.endpoint, { 'Upload-Length': 10 });
    await patch(location, 0, 'ab');
    expect(answerOf(await patch(location, 2, 'hello', { 'Upload-Checksum': sha1('HELLO') }))).toEqual({
      status: 460,
      body: 'CHECKSUM_MISMATCH: Checksum mismatch: the chunk was discarded\n',
      code: 'CHECKSUM_MISMATCH',
      offset: '2',
      type: 'text/plain; charset=utf-8',
      tus: '1.0.0',
    });
  });

  it('creation-with-upload refused by the store still names the new upload in Location', async () => {
    const reply = await send(
      t.endpoint,
      'POST',
      { ...octet, 'Upload-Length': 10, 'Upload-Checksum': sha1('HELLO') },
      'hello',
    );
    expect(answerOf(reply)).toEqual({
      status: 460,
      body: 'CHECKSUM_MISMATCH: Checksum mismatch: the chunk was discarded\n',
      code: 'CHECKSUM_MISMATCH',
      offset: '0',
      type: 'text/plain; charset=utf-8',
      tus: '1.0.0',
    });
    expect(reply.headers.location).toMatch(new RegExp(`^${t.endpoint}[A-Za-z0-9_-]+$`));
    expect((await send(reply.headers.location!, 'HEAD')).headers['upload-offset']).toBe('0');
  });
});

const answerCode = (body: string) => body.slice(0, body.indexOf(':'));

describe('answers to a disk that fails under a PATCH', () => {
  it.each([
    ['ENOSPC', 507, 'INSUFFICIENT_STORAGE: Not enough free disk space\n', 'The receiving disk is full'],
    [
      'EROFS',
      500,
      'STORAGE_NOT_WRITABLE: The receive folder is not writable (read-only or no permission)\n',
      'The receive folder is not writable (read-only or no permission)',
    ],
    ['EIO', 500, 'STORAGE_FAILED: Storage failed\n', 'Storage failed'],
  ])('%s: %i with the offset kept, and the upload pauses', async (code, status, body, message) => {
    const location = await create(t.endpoint, { 'Upload-Length': 10 });
    await patch(location, 0, 'ab');
    const id = location.slice(location.lastIndexOf('/') + 1);
    Object.assign(fault, { inode: (await stat(path.join(t.stateDir, id))).ino, code });
    const reply = await patch(location, 2, 'cdef');
    expect(fault.inode, 'the fault fired').toBe(-1);
    expect(answerOf(reply)).toEqual({
      status,
      body,
      code: answerCode(body),
      offset: '2',
      type: 'text/plain; charset=utf-8',
      tus: '1.0.0',
    });
    expect(t.receiver.hub.get(id)).toMatchObject({ status: 'paused', offset: 2, message, errorCode: answerCode(body) });
    expect((await patch(location, 2, 'cdef')).headers['upload-offset']).toBe('6');
  });
});
