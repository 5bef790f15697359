// Idempotent creation: a POST that repeats an earlier one's `ferry-idempotency-key` gets that upload
// back (same Location, its offset), so a lost 201 never lands a file twice.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  create,
  head,
  listFiles,
  meta,
  octet,
  patch,
  receiverForTest,
  send,
  type TestReceiver,
} from '../../../../test/support/tus-test-client';

let t: TestReceiver;

const post = (headers: Record<string, string | number>, body?: Buffer) =>
  send(t.endpoint, 'POST', { ...(body ? octet : {}), ...headers }, body);
const keyed = (key: string, extra: Record<string, string> = {}) =>
  meta({ filename: 'photo.jpg', 'ferry-idempotency-key': key, ...extra });

describe('a repeated keyed creation', () => {
  it('gets the finished upload back, with its offset, and the file lands once', async () => {
    t = await receiverForTest();
    const data = randomBytes(20_000);
    const sha256 = createHash('sha256').update(data).digest('hex');
    const first = await post({ 'Upload-Length': data.length, 'Upload-Metadata': keyed('job-1', { sha256 }) }, data);
    expect([first.status, first.headers['upload-offset']]).toEqual([201, String(data.length)]);
    // The repeat, without the body: the sender lost the answer and asks for that upload again.
    const again = await post({ 'Upload-Length': data.length, 'Upload-Metadata': keyed('job-1', { sha256 }) });
    expect([again.status, again.headers.location, again.headers['upload-offset']]).toEqual([
      201,
      first.headers.location,
      String(data.length),
    ]);
    expect(await listFiles(t.dir)).toEqual(['photo.jpg']);
    expect(await t.receiver.store.list()).toHaveLength(1);
  });

  it('gets an unfinished upload back where it stands, and the rest goes on by PATCH', async () => {
    t = await receiverForTest();
    const location = await create(t.endpoint, { 'Upload-Length': 1000, 'Upload-Metadata': keyed('job-2') });
    expect((await patch(location, 0, Buffer.alloc(400, 1))).status).toBe(204);
    const again = await post({ 'Upload-Length': 1000, 'Upload-Metadata': keyed('job-2') });
    expect([again.status, again.headers.location, again.headers['upload-offset']]).toEqual([201, location, '400']);
    expect(again.headers['upload-expires']).toBeDefined();
    expect((await patch(location, 400, Buffer.alloc(600, 2))).status).toBe(204);
    expect(await listFiles(t.dir)).toEqual(['photo.jpg']);
  });

  it('finds its upload after the receiver restarts', async () => {
    t = await receiverForTest();
    const location = await create(t.endpoint, { 'Upload-Length': 1000, 'Upload-Metadata': keyed('job-3') });
    await t.close();
    t = await receiverForTest({}, t.base);
    const again = await post({ 'Upload-Length': 1000, 'Upload-Metadata': keyed('job-3') });
    expect(new URL(again.headers.location!).pathname).toBe(new URL(location).pathname);
  });

  it('makes a new upload for another key, another length, or after the first failed or was deleted', async () => {
    t = await receiverForTest();
    const first = await create(t.endpoint, { 'Upload-Length': 1000, 'Upload-Metadata': keyed('job-4') });
    const otherKey = await create(t.endpoint, { 'Upload-Length': 1000, 'Upload-Metadata': keyed('job-5') });
    const otherLength = await create(t.endpoint, { 'Upload-Length': 999, 'Upload-Metadata': keyed('job-4') });
    expect(new Set([first, otherKey, otherLength]).size).toBe(3);
    // A declared sha256 that does not match fails the upload: the same key then gets a fresh one.
    const bad = 'ab'.repeat(32);
    const failed = await post(
      { 'Upload-Length': 10, 'Upload-Metadata': keyed('job-6', { sha256: bad }) },
      Buffer.alloc(10),
    );
    expect(failed.status).toBe(460);
    const retried = await post({ 'Upload-Length': 10, 'Upload-Metadata': keyed('job-6', { sha256: bad }) });
    expect(retried.status).toBe(201);
    expect(retried.headers.location).not.toBe(failed.headers.location);
    expect(retried.headers['upload-offset'] ?? '0').toBe('0');
    // Deleted: gone, and the key starts afresh.
    expect((await send(first, 'DELETE')).status).toBe(204);
    const afterDelete = await post({ 'Upload-Length': 1000, 'Upload-Metadata': keyed('job-4') });
    expect(afterDelete.status).toBe(201);
    expect((await head(afterDelete.headers.location!)).headers['upload-offset']).toBe('0');
  });

  it('answers repeats sent at the same moment with one upload', async () => {
    t = await receiverForTest();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => post({ 'Upload-Length': 1000, 'Upload-Metadata': keyed('job-7') })),
    );
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(answers.map((answer) => answer.headers.location)).size).toBe(1);
    expect(await t.receiver.store.list()).toHaveLength(1);
  });

  it('refuses a key that is not printable text', async () => {
    t = await receiverForTest();
    const answer = await post({ 'Upload-Length': 10, 'Upload-Metadata': keyed('has space') });
    expect([answer.status, answer.headers['x-ferry-error']]).toEqual([400, 'INVALID_METADATA']);
  });
});
