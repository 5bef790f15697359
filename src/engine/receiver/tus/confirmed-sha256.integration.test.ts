// X-Ferry-Sha256: the answer that lands a file, and HEAD of a landed upload, name the sha256 the
// receiver checked its bytes against; nothing else carries it.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { create, head, meta, octet, patch, receiverForAll, send } from '../../../../test/support/tus-test-client';

const t = receiverForAll();
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const confirmed = (reply: { headers: Record<string, string | undefined> }) => reply.headers['x-ferry-sha256'];

describe('X-Ferry-Sha256', () => {
  it('comes with the 201 of a one-request upload, with HEAD, and with a PATCH to the landed upload', async () => {
    const data = randomBytes(3000);
    const answer = await send(
      t.endpoint,
      'POST',
      {
        ...octet,
        'Upload-Length': data.length,
        'Upload-Metadata': meta({ filename: 'one.bin', sha256: sha256(data) }),
      },
      data,
    );
    expect(answer.status).toBe(201);
    expect(confirmed(answer)).toBe(sha256(data));
    const location = answer.headers.location!;
    expect(confirmed(await head(location))).toBe(sha256(data));
    const again = await patch(location, data.length, Buffer.alloc(0));
    expect(again.status).toBe(204);
    expect(confirmed(again)).toBe(sha256(data));
  });

  it('comes with the PATCH that completes a chunked upload, not with the ones before', async () => {
    const data = randomBytes(200_000);
    // Upper-case hex is accepted in metadata; the answer names it in lower case.
    const declared = sha256(data).toUpperCase();
    const location = await create(t.endpoint, {
      'Upload-Length': data.length,
      'Upload-Metadata': meta({ filename: 'chunked.bin', sha256: declared }),
    });
    const first = await patch(location, 0, data.subarray(0, 100_000));
    expect(first.status).toBe(204);
    expect(confirmed(first)).toBeUndefined();
    expect(confirmed(await head(location))).toBeUndefined();
    const last = await patch(location, 100_000, data.subarray(100_000));
    expect(last.status).toBe(204);
    expect(confirmed(last)).toBe(sha256(data));
    expect(confirmed(await head(location))).toBe(sha256(data));
  });

  it('comes with the 201 of a final upload, never with its partial uploads', async () => {
    const parts = [randomBytes(5000), randomBytes(7000)];
    const urls: string[] = [];
    for (const part of parts) {
      const url = await create(t.endpoint, { 'Upload-Length': part.length, 'Upload-Concat': 'partial' });
      const patched = await patch(url, 0, part);
      expect(patched.status).toBe(204);
      expect(confirmed(patched)).toBeUndefined();
      urls.push(url);
    }
    const whole = Buffer.concat(parts);
    const final = await send(t.endpoint, 'POST', {
      'Upload-Concat': `final;${urls.join(' ')}`,
      'Upload-Metadata': meta({ filename: 'joined.bin', sha256: sha256(whole) }),
    });
    expect(final.status).toBe(201);
    expect(confirmed(final)).toBe(sha256(whole));
    expect(confirmed(await head(final.headers.location!))).toBe(sha256(whole));
    expect(confirmed(await head(urls[0]!))).toBeUndefined();
  });

  it('comes with the 201 of an empty file that declared its sha256', async () => {
    const answer = await send(t.endpoint, 'POST', {
      'Upload-Length': 0,
      'Upload-Metadata': meta({ filename: 'empty.txt', sha256: sha256('') }),
    });
    expect(answer.status).toBe(201);
    expect(confirmed(answer)).toBe(sha256(''));
  });

  it('comes with the repeat of a keyed creation that had landed', async () => {
    const data = randomBytes(2000);
    const headers = {
      ...octet,
      'Upload-Length': data.length,
      'Upload-Metadata': meta({ filename: 'keyed.bin', sha256: sha256(data), 'ferry-idempotency-key': 'job-1.x' }),
    };
    const first = await send(t.endpoint, 'POST', headers, data);
    const repeat = await send(t.endpoint, 'POST', headers, data);
    expect([first.status, repeat.status]).toEqual([201, 201]);
    expect(repeat.headers.location).toBe(first.headers.location);
    expect(confirmed(repeat)).toBe(sha256(data));
  });

  it('is absent when no sha256 was declared, and when the bytes did not match it', async () => {
    const plain = await send(
      t.endpoint,
      'POST',
      { ...octet, 'Upload-Length': 5, 'Upload-Metadata': meta({ filename: 'plain.txt' }) },
      'hello',
    );
    expect(plain.status).toBe(201);
    expect(confirmed(plain)).toBeUndefined();
    expect(confirmed(await head(plain.headers.location!))).toBeUndefined();

    const wrong = await send(
      t.endpoint,
      'POST',
      { ...octet, 'Upload-Length': 5, 'Upload-Metadata': meta({ filename: 'wrong.txt', sha256: sha256('HELLO') }) },
      'hello',
    );
    expect(wrong.status).toBe(460);
    expect(confirmed(wrong)).toBeUndefined();
  });
});
