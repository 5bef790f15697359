/**
 * PROTOCOL.md tus table, part 2: HEAD, PATCH (offsets, limits, checksums, deferred length), DELETE,
 * unknown and expired ids, and X-HTTP-Method-Override.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  create,
  dataSize,
  head,
  meta,
  octet,
  open,
  patch,
  rawExchange,
  receiverForAll,
  receiverForTest,
  send,
  tusHeaders,
  within,
} from '../../../../test/support/tus-test-client';

const t = receiverForAll();

const newUpload = (length: number, extra: Record<string, string> = {}) =>
  create(t.endpoint, { 'Upload-Length': length, ...extra });

describe('HEAD', () => {
  it('answers 200 with Upload-Offset, Upload-Length, Upload-Metadata, Cache-Control: no-store', async () => {
    const location = await newUpload(10, { 'Upload-Metadata': meta({ filename: 'a.txt', note: 'n' }) });
    await patch(location, 0, 'abc');
    const answer = await head(location);
    expect(answer.status).toBe(200);
    expect(answer.headers['upload-offset']).toBe('3');
    expect(answer.headers['upload-length']).toBe('10');
    expect(answer.headers['upload-defer-length']).toBeUndefined();
    expect(answer.headers['upload-metadata']?.split(',').sort()).toEqual(
      meta({ filename: 'a.txt', note: 'n' }).split(',').sort(),
    );
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['tus-resumable']).toBe('1.0.0');
    expect(answer.headers['upload-concat']).toBeUndefined();
  });

  it('sends no body: the raw response ends right after the header block', async () => {
    const location = await newUpload(10);
    const { host, pathname } = new URL(location);
    const raw = await rawExchange(
      location,
      `HEAD ${pathname} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer secret\r\nTus-Resumable: 1.0.0\r\n\r\n`,
    );
    expect(raw).toMatch(/^HTTP\/1\.1 200 /);
    expect(raw.endsWith('\r\n\r\n')).toBe(true);
    expect(raw.indexOf('\r\n\r\n')).toBe(raw.length - 4);
  });

  it('shows Upload-Defer-Length: 1 and no Upload-Length while the length is deferred', async () => {
    const location = await create(t.endpoint, { 'Upload-Defer-Length': '1' });
    const answer = await head(location);
    expect(answer.headers['upload-defer-length']).toBe('1');
    expect(answer.headers['upload-length']).toBeUndefined();
    expect(answer.headers['upload-offset']).toBe('0');
  });
});

describe('HEAD under transient trouble', () => {
  it.each(['EIO', 'EMFILE'])('a store failure (%s) answers the retryable 423, never a 5xx', async (code) => {
    const location = await newUpload(10);
    const store = t.receiver.store;
    const original = store.get;
    // Fault injection on the shared store object: tus clients restart from zero after a 5xx HEAD.
    store.get = () => Promise.reject(Object.assign(new Error(`injected ${code}`), { code }));
    let answer;
    try {
      answer = await head(location);
    } finally {
      store.get = original;
    }
    expect(answer.status).toBe(423);
    expect(answer.headers['upload-offset']).toBeUndefined();
    expect((await head(location)).status).toBe(200);
  });
});

describe('unknown and expired uploads', () => {
  const methods = ['HEAD', 'PATCH', 'DELETE'];
  const attempt = (location: string, method: string) =>
    method === 'PATCH' ? patch(location, 0, 'abc') : send(location, method);

  it.each(methods)('%s on an unknown id answers 404 without Upload-Offset', async (method) => {
    const answer = await attempt(`${t.endpoint}AAAAAAAAAAAAAAAAAAAAAA`, method);
    expect(answer.status).toBe(404);
    expect(answer.headers['upload-offset']).toBeUndefined();
  });

  it.each(methods)('%s on an upload the sweeper expired answers 410, and its bytes are freed', async (method) => {
    const location = await newUpload(10);
    await patch(location, 0, 'abc');
    const expired = await t.receiver.sweep(Date.now() + 48 * 3600_000);
    expect(expired).toContain(location.slice(t.endpoint.length));
    expect(await dataSize(t, location)).toBe(-1);
    const answer = await attempt(location, method);
    expect(answer.status).toBe(410);
    expect(answer.headers['upload-offset']).toBeUndefined();
  });

  it('an upload idle past expireAfterMs answers 410 even before the sweeper runs', async () => {
    const short = await receiverForTest({ expireAfterMs: 150 });
    const location = await create(short.endpoint, { 'Upload-Length': 10 });
    expect((await head(location)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await head(location)).status).toBe(410);
    // The first 410 frees the bytes at once instead of waiting for the next sweep.
    expect(await dataSize(short, location)).toBe(-1);
    expect((await send(location, 'PATCH', { ...octet, 'Upload-Offset': '0' }, 'abc')).status).toBe(410);

    // A finished partial upload no final ever used expires the same way; one that was used does not.
    const unused = await create(short.endpoint, { 'Upload-Length': 3, 'Upload-Concat': 'partial' });
    const used = await create(short.endpoint, { 'Upload-Length': 3, 'Upload-Concat': 'partial' });
    for (const part of [unused, used]) expect((await patch(part, 0, 'abc')).status).toBe(204);
    expect((await send(short.endpoint, 'POST', { 'Upload-Concat': `final;${used}` })).status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await head(unused)).status).toBe(410);
    expect(await dataSize(short, unused)).toBe(-1);
    expect((await head(used)).status).toBe(200);
  });
});

describe('PATCH', () => {
  it('answers 204 with the new Upload-Offset, plus Upload-Expires while incomplete', async () => {
    const location = await newUpload(6, { 'Upload-Metadata': meta({ filename: 'six.txt' }) });
    const first = await patch(location, 0, 'abc');
    expect(first.status).toBe(204);
    expect(first.headers['upload-offset']).toBe('3');
    expect(Date.parse(first.headers['upload-expires'] ?? '')).toBeGreaterThan(Date.now());
    const last = await patch(location, 3, 'def');
    expect(last.status).toBe(204);
    expect(last.headers['upload-offset']).toBe('6');
    // Completed uploads do not expire.
    expect(last.headers['upload-expires']).toBeUndefined();
    expect(await readFile(path.join(t.dir, 'six.txt'), 'utf8')).toBe('abcdef');
  });

  const refused: [string, number, Record<string, string>][] = [
    ['Content-Type text/plain', 415, { 'Content-Type': 'text/plain', 'Upload-Offset': '0' }],
    ['no Content-Type', 415, { 'Upload-Offset': '0' }],
    ['no Upload-Offset', 400, octet],
    ...['-1', '05', '1e3', '9007199254740993', 'x'].map(
      (value) =>
        [`Upload-Offset "${value}"`, 400, { ...octet, 'Upload-Offset': value }] as [
          string,
          number,
          Record<string, string>,
        ],
    ),
    ['Upload-Offset ahead of the server', 409, { ...octet, 'Upload-Offset': '5' }],
    ['Upload-Offset behind the server', 409, { ...octet, 'Upload-Offset': '1' }],
  ];

  it.each(refused)('%s answers %i and leaves the upload untouched', async (_name, status, headers) => {
    const location = await newUpload(20);
    await patch(location, 0, 'ab');
    const answer = await send(location, 'PATCH', headers, 'XYZ');
    expect(answer.status).toBe(status);
    expect((await head(location)).headers['upload-offset']).toBe('2');
    expect(await dataSize(t, location)).toBe(2);
  });

  it('a body whose Content-Length passes Upload-Length is refused with 413 before any byte is read', async () => {
    const location = await newUpload(10);
    await patch(location, 0, 'abc');
    // Only the headers go out: the answer must come without the body, so nothing can have been written.
    const { req, reply } = open(location, 'PATCH', {
      ...tusHeaders,
      ...octet,
      'Upload-Offset': '3',
      'Content-Length': 8,
    });
    req.flushHeaders();
    const answer = await within(reply, 3_000);
    req.destroy();
    expect(answer.status).toBe(413);
    expect((await head(location)).headers['upload-offset']).toBe('3');
    expect(await dataSize(t, location)).toBe(3);
  });

  it('a chunked body that passes Upload-Length stores up to the length, then answers 413', async () => {
    const location = await newUpload(10, { 'Upload-Metadata': meta({ filename: 'chunked.bin' }) });
    const { req, reply } = open(location, 'PATCH', { ...tusHeaders, ...octet, 'Upload-Offset': '0' });
    req.write('01234');
    req.write('56789abcdef');
    req.end();
    const answer = await reply;
    expect(req.getHeader('content-length')).toBeUndefined();
    expect(answer.status).toBe(413);
    const state = await head(location);
    expect([state.headers['upload-offset'], state.headers['upload-length']]).toEqual(['10', '10']);
    expect(await readFile(path.join(t.dir, 'chunked.bin'), 'utf8')).toBe('0123456789');
  });

  it('a deferred length is set by a PATCH carrying Upload-Length, and the upload completes', async () => {
    const location = await create(t.endpoint, {
      'Upload-Defer-Length': '1',
      'Upload-Metadata': meta({ filename: 'deferred.txt' }),
    });
    expect((await patch(location, 0, 'abc')).headers['upload-offset']).toBe('3');
    expect((await head(location)).headers['upload-defer-length']).toBe('1');
    const last = await patch(location, 3, 'de', { 'Upload-Length': '5' });
    expect([last.status, last.headers['upload-offset']]).toEqual([204, '5']);
    const state = await head(location);
    expect([state.headers['upload-length'], state.headers['upload-defer-length']]).toEqual(['5', undefined]);
    expect(await readFile(path.join(t.dir, 'deferred.txt'), 'utf8')).toBe('abcde');
  });

  it('a set length cannot change', async () => {
    const location = await newUpload(10);
    expect((await patch(location, 0, 'abc', { 'Upload-Length': '12' })).status).toBe(400);
    expect((await head(location)).headers['upload-length']).toBe('10');
  });
});

describe('Upload-Checksum', () => {
  const digest = (algorithm: string, data: string) => createHash(algorithm).update(data).digest('base64');

  it.each(['sha1', 'sha256', 'md5'])('%s: a correct checksum is accepted with 204', async (algorithm) => {
    const location = await newUpload(10);
    const answer = await patch(location, 0, 'hello', {
      'Upload-Checksum': `${algorithm} ${digest(algorithm, 'hello')}`,
    });
    expect([answer.status, answer.headers['upload-offset']]).toEqual([204, '5']);
  });

  it.each(['sha1', 'sha256', 'md5'])(
    '%s: a mismatch answers 460, discards the chunk and keeps the offset',
    async (algorithm) => {
      const location = await newUpload(10);
      await patch(location, 0, 'ab');
      const answer = await patch(location, 2, 'hello', {
        'Upload-Checksum': `${algorithm} ${digest(algorithm, 'HELLO')}`,
      });
      expect(answer.status).toBe(460);
      expect((await head(location)).headers['upload-offset']).toBe('2');
      expect(await dataSize(t, location)).toBe(2);
    },
  );

  it.each([
    ['an unsupported algorithm', `sha512 ${createHash('sha512').update('hello').digest('base64')}`],
    ['a malformed header', 'sha1'],
  ])('%s answers 400 and writes nothing', async (_name, header) => {
    const location = await newUpload(10);
    const answer = await patch(location, 0, 'hello', { 'Upload-Checksum': header });
    expect(answer.status).toBe(400);
    expect((await head(location)).headers['upload-offset']).toBe('0');
  });
});

describe('DELETE', () => {
  it('answers 204; afterwards the id answers 404 and its state files are gone', async () => {
    const location = await newUpload(10);
    await patch(location, 0, 'abc');
    expect((await send(location, 'DELETE')).status).toBe(204);
    expect((await head(location)).status).toBe(404);
    expect((await patch(location, 3, 'd')).status).toBe(404);
    expect((await send(location, 'DELETE')).status).toBe(404);
    expect(await dataSize(t, location)).toBe(-1);
  });
});

describe('X-HTTP-Method-Override on POST', () => {
  const override = (location: string, method: string, headers: Record<string, string> = {}, body?: string) =>
    send(location, 'POST', { 'X-HTTP-Method-Override': method, ...headers }, body);

  it('PATCH: appends like a PATCH', async () => {
    const location = await newUpload(10);
    const answer = await override(location, 'PATCH', { ...octet, 'Upload-Offset': '0' }, 'abcd');
    expect([answer.status, answer.headers['upload-offset']]).toEqual([204, '4']);
    expect((await head(location)).headers['upload-offset']).toBe('4');
  });

  it('HEAD: reports the offset like a HEAD', async () => {
    const location = await newUpload(10);
    await patch(location, 0, 'abc');
    const answer = await override(location, 'HEAD');
    expect([answer.status, answer.headers['upload-offset'], answer.headers['upload-length']]).toEqual([200, '3', '10']);
  });

  it('DELETE: terminates like a DELETE', async () => {
    const location = await newUpload(10);
    expect((await override(location, 'delete')).status).toBe(204);
    expect((await head(location)).status).toBe(404);
  });

  it('is ignored on other methods: a DELETE overridden to HEAD still deletes', async () => {
    const location = await newUpload(10);
    expect((await send(location, 'DELETE', { 'X-HTTP-Method-Override': 'HEAD' })).status).toBe(204);
    expect((await head(location)).status).toBe(404);
  });
});
