// What a finished upload's id says: the truth about its file, and when a waiting part expires.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { create, head, meta, octet, patch, receiverForTest, send } from '../../../../test/support/tus-test-client';

describe('a completed upload whose file was deleted from the receive folder', () => {
  it('answers HEAD with 410, so a sender sends the file again instead of calling it already there', async () => {
    const t = await receiverForTest();
    const data = randomBytes(5_000);
    const location = await create(
      t.endpoint,
      { 'Upload-Length': data.length, 'Upload-Metadata': meta({ filename: 'gone.bin' }) },
      data,
    );
    expect((await head(location)).status).toBe(200);
    await rm(path.join(t.dir, 'gone.bin'));
    const answer = await head(location);
    expect([answer.status, answer.headers['x-ferry-error']]).toEqual([410, 'RECEIVED_FILE_GONE']);
  });

  it('is no answer to a repeated keyed creation either: the file is received anew', async () => {
    const t = await receiverForTest();
    const data = randomBytes(5_000);
    const metadata = meta({ filename: 'again.bin', 'ferry-idempotency-key': 'job-gone' });
    const first = await send(
      t.endpoint,
      'POST',
      { ...octet, 'Upload-Length': data.length, 'Upload-Metadata': metadata },
      data,
    );
    await rm(path.join(t.dir, 'again.bin'));
    const again = await send(t.endpoint, 'POST', { 'Upload-Length': data.length, 'Upload-Metadata': metadata });
    expect(again.status).toBe(201);
    expect(again.headers.location).not.toBe(first.headers.location);
    expect(again.headers['upload-offset'] ?? '0').toBe('0');
  });
});

describe('a finished partial upload waiting for its final', () => {
  it('says in HEAD when it expires', async () => {
    const t = await receiverForTest();
    const location = await create(t.endpoint, { 'Upload-Length': 4, 'Upload-Concat': 'partial' }, 'part');
    const answer = await head(location);
    expect(answer.headers['upload-offset']).toBe('4');
    expect(Date.parse(answer.headers['upload-expires'] ?? '')).toBeGreaterThan(Date.now());
  });

  it('does not expire while a sibling part is still arriving, and the final then joins both', async () => {
    const expireMs = 600;
    const t = await receiverForTest({ expireAfterMs: expireMs, sweepIntervalMs: 3_600_000 });
    // Created together, as a sender creates the parts of one file: a small one done at once, a big
    // one still arriving, chunk after chunk, for several times the expiry.
    const small = await create(t.endpoint, { 'Upload-Length': 5, 'Upload-Concat': 'partial' });
    const big = await create(t.endpoint, { 'Upload-Length': 8 * 1000, 'Upload-Concat': 'partial' });
    expect((await patch(small, 0, 'small')).status).toBe(204);
    for (let offset = 0; offset < 8 * 1000; offset += 1000) {
      expect((await patch(big, offset, Buffer.alloc(1000, offset / 1000))).status).toBe(204);
      expect(await t.receiver.sweep()).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, expireMs / 3));
    }
    expect((await head(small)).status).toBe(200);
    const final = await send(t.endpoint, 'POST', {
      'Upload-Concat': `final;${small} ${big}`,
      'Upload-Metadata': meta({ filename: 'both.bin' }),
    });
    expect(final.status, final.body).toBe(201);
  });

  it('still expires once its siblings went quiet too', async () => {
    const expireMs = 300;
    const t = await receiverForTest({ expireAfterMs: expireMs, sweepIntervalMs: 3_600_000 });
    const small = await create(t.endpoint, { 'Upload-Length': 5, 'Upload-Concat': 'partial' });
    const big = await create(t.endpoint, { 'Upload-Length': 1000, 'Upload-Concat': 'partial' });
    expect((await patch(small, 0, 'small')).status).toBe(204);
    expect((await patch(big, 0, Buffer.alloc(10))).status).toBe(204);
    const expired = await t.receiver.sweep(Date.now() + 2 * expireMs);
    expect(expired.sort()).toEqual([small, big].map((url) => url.slice(url.lastIndexOf('/') + 1)).sort());
    expect((await head(small)).status).toBe(410);
  });
});
