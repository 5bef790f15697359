import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { receiverForAll } from '../../../../test/support/tus-test-client';

const t = receiverForAll({ token: 'e2e' });
const tus = { 'tus-resumable': '1.0.0', authorization: 'Bearer e2e' };
const b64 = (text: string) => Buffer.from(text).toString('base64');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function create(name: string, length: number, digest: string, body?: string) {
  return fetch(`${t.url}/files/`, {
    method: 'POST',
    headers: {
      ...tus,
      'upload-length': String(length),
      'upload-metadata': `filename ${b64(name)},sha256 ${b64(digest)}`,
      ...(body ? { 'content-type': 'application/offset+octet-stream' } : {}),
    },
    body,
  });
}

describe('end-to-end sha256 metadata', () => {
  it('lands a one-request upload whose bytes match', async () => {
    const response = await create('good.txt', 5, sha256('hello'), 'hello');
    expect(response.status).toBe(201);
    expect(await readdir(t.dir)).toContain('good.txt');
  });

  it('discards a finished upload whose bytes do not match, and the id then answers 410', async () => {
    const created = await create('bad.txt', 5, sha256('HELLO'));
    const location = created.headers.get('location')!;
    const patched = await fetch(location, {
      method: 'PATCH',
      headers: { ...tus, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
      body: 'hello',
    });
    expect(patched.status).toBe(460);
    expect(patched.headers.get('x-ferry-error')).toBe('SHA256_MISMATCH');
    expect(await readdir(t.dir)).not.toContain('bad.txt');
    expect((await fetch(location, { method: 'HEAD', headers: tus })).status).toBe(410);
    expect(t.receiver.hub.get(new URL(location).pathname.split('/').pop()!)).toMatchObject({
      status: 'failed',
      errorCode: 'SHA256_MISMATCH',
    });
  });

  it('compares a verified whole-body Upload-Checksum with the declared sha256', async () => {
    const checksum = `sha256 ${createHash('sha256').update('hello').digest('base64')}`;
    const response = await fetch(`${t.url}/files/`, {
      method: 'POST',
      headers: {
        ...tus,
        'upload-length': '5',
        'content-type': 'application/offset+octet-stream',
        'upload-checksum': checksum,
        'upload-metadata': `filename ${b64('declared.txt')},sha256 ${b64(sha256('other'))}`,
      },
      body: 'hello',
    });
    expect(response.status).toBe(460);
    expect(response.headers.get('x-ferry-error')).toBe('SHA256_MISMATCH');
    expect(await readdir(t.dir)).not.toContain('declared.txt');
  });

  it('refuses sha256 metadata that is not 64 hex digits', async () => {
    expect((await create('odd.txt', 5, 'not-a-digest')).status).toBe(400);
  });
});
