/**
 * PROTOCOL.md tus table, part 1: OPTIONS, Tus-Resumable, creation (lengths, limits, metadata) and
 * creation-with-upload, against a real receiver over HTTP.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  create,
  head,
  listFiles,
  meta,
  octet,
  open,
  patch,
  receiverForAll,
  receiverForTest,
  send,
  tusHeaders,
} from '../../../../test/support/tus-test-client';

const maxSize = 1024 * 1024;
const t = receiverForAll({ maxSize });

/** Upload records in the store: a refused request must leave this unchanged. */
const uploadCount = async () => (await t.receiver.store.list()).length;

describe('OPTIONS', () => {
  it.each([
    ['the collection', '/files/'],
    ['an upload url', '/files/AAAAAAAAAAAAAAAAAAAAAA'],
  ])('answers 204 with the capability headers on %s, without Tus-Resumable or token', async (_name, route) => {
    const { req, reply } = open(`${t.url}${route}`, 'OPTIONS', {});
    req.end();
    const answer = await reply;
    expect(answer.status).toBe(204);
    expect(answer.headers['tus-version']).toBe('1.0.0');
    expect(answer.headers['tus-extension']?.split(',').sort()).toEqual([
      'checksum',
      'concatenation',
      'creation',
      'creation-defer-length',
      'creation-with-upload',
      'expiration',
      'termination',
    ]);
    expect(answer.headers['tus-max-size']).toBe(String(maxSize));
    expect(answer.headers['tus-checksum-algorithm']?.split(',')).toEqual(
      expect.arrayContaining(['sha1', 'sha256', 'md5']),
    );
    expect(answer.headers['x-ferry-features']?.split(',').sort()).toEqual([
      'bulk-upload',
      'end-to-end-sha256',
      'idempotent-creation',
      'sha256-one-pass',
    ]);
  });
});

describe('Tus-Resumable missing or unsupported', () => {
  const versions: [string, Record<string, string>][] = [
    ['missing', {}],
    ['0.2.2', { 'Tus-Resumable': '0.2.2' }],
    ['1.0', { 'Tus-Resumable': '1.0' }],
  ];
  const methods = ['POST', 'HEAD', 'PATCH', 'DELETE'];
  const cases = methods.flatMap((method) => versions.map(([label, version]) => [method, label, version] as const));

  it.each(cases)(
    '%s with Tus-Resumable %s answers 412 with Tus-Version and is not processed',
    async (method, _label, version) => {
      const target = await create(t.endpoint, { 'Upload-Length': 10 });
      const before = await uploadCount();
      const isPost = method === 'POST';
      const body = method === 'PATCH' || isPost ? 'abcde' : undefined;
      const headers: Record<string, string | number> = {
        Authorization: tusHeaders.Authorization!,
        ...version,
        ...(isPost ? { 'Upload-Length': 10, ...octet } : {}),
        ...(method === 'PATCH' ? { ...octet, 'Upload-Offset': 0 } : {}),
        ...(body ? { 'Content-Length': body.length } : {}),
      };
      const { req, reply } = open(isPost ? t.endpoint : target, method, headers);
      req.end(body);
      const answer = await reply;
      expect(answer.status).toBe(412);
      expect(answer.headers['tus-version']).toBe('1.0.0');
      // Not processed: nothing created, nothing written, nothing deleted.
      expect(await uploadCount()).toBe(before);
      const after = await head(target);
      expect(after.status).toBe(200);
      expect(after.headers['upload-offset']).toBe('0');
    },
  );
});

describe('POST: declared length', () => {
  const refused: [string, Record<string, string>][] = [
    ['no Upload-Length and no Upload-Defer-Length', {}],
    ['both Upload-Length and Upload-Defer-Length', { 'Upload-Length': '5', 'Upload-Defer-Length': '1' }],
    ['Upload-Defer-Length: 2', { 'Upload-Defer-Length': '2' }],
    ['Upload-Defer-Length: 0', { 'Upload-Defer-Length': '0' }],
    ...['-1', '05', '1e3', '9007199254740993', '9007199254740992', '1.5', '0x10', '+1', '1 0', 'abc'].map(
      (value) => [`Upload-Length: "${value}"`, { 'Upload-Length': value }] as [string, Record<string, string>],
    ),
  ];

  it.each(refused)('%s answers 400 and creates nothing', async (_name, headers) => {
    const before = await uploadCount();
    const answer = await send(t.endpoint, 'POST', headers);
    expect(answer.status).toBe(400);
    expect(answer.headers.location).toBeUndefined();
    expect(await uploadCount()).toBe(before);
  });

  it('treats " 1" as 1: HTTP strips the leading space (optional whitespace) before the receiver sees it', async () => {
    const answer = await send(t.endpoint, 'POST', { 'Upload-Length': ' 1' });
    expect(answer.status).toBe(201);
    expect((await head(answer.headers.location!)).headers['upload-length']).toBe('1');
  });

  it('accepts the largest canonical value up to the max size, and 413s one byte more', async () => {
    expect((await send(t.endpoint, 'POST', { 'Upload-Length': maxSize })).status).toBe(201);
    const before = await uploadCount();
    const answer = await send(t.endpoint, 'POST', { 'Upload-Length': maxSize + 1 });
    expect(answer.status).toBe(413);
    expect(await uploadCount()).toBe(before);
  });

  it('answers 507 when the length exceeds the free disk space, and creates nothing', async () => {
    const roomy = await receiverForTest({ maxSize: Number.MAX_SAFE_INTEGER });
    const answer = await send(roomy.endpoint, 'POST', { 'Upload-Length': 2 ** 52 });
    expect(answer.status).toBe(507);
    expect(await roomy.receiver.store.list()).toEqual([]);
    expect(await readdir(roomy.stateDir)).toEqual([]);
  });
});

describe('POST: Upload-Metadata', () => {
  const pairs = (count: number) => Array.from({ length: count }, (_, i) => `k${i} YQ==`).join(',');
  const refused: [string, string][] = [
    ['bad base64 (characters)', 'filename not*base64'],
    ['bad base64 (unpadded)', 'filename YWJ'],
    ['a key with a space', 'file name YQ=='],
    ['a double space between key and value', 'filename  YQ=='],
    ['a comma that leaves an empty key', ',filename YQ=='],
    ['an empty pair in the middle', 'filename YQ==,,type YQ=='],
    ['a duplicate key', 'filename YQ==,filename Yg=='],
    ['a duplicate __proto__ key', '__proto__ YQ==,__proto__ Yg=='],
    ['too many pairs (33)', pairs(33)],
    ['a header over 8 KiB', `filename ${Buffer.alloc(6200, 'a').toString('base64')}`],
  ];

  it.each(refused)('%s answers 400 and creates nothing', async (_name, header) => {
    const before = await uploadCount();
    const answer = await send(t.endpoint, 'POST', { 'Upload-Length': 5, 'Upload-Metadata': header });
    expect(answer.status).toBe(400);
    expect(await uploadCount()).toBe(before);
  });

  it.each([
    ['32 pairs', pairs(32)],
    ['a key with an empty value', 'filename YQ==,private'],
    ['a value of almost 8 KiB', `filename ${Buffer.alloc(6000, 'a').toString('base64')}`],
  ])('accepts %s', async (_name, header) => {
    expect((await send(t.endpoint, 'POST', { 'Upload-Length': 5, 'Upload-Metadata': header })).status).toBe(201);
  });

  it('keeps __proto__ and constructor as plain data: no prototype pollution, echoed by HEAD', async () => {
    // Built by hand: in an object literal `__proto__` would set the prototype instead of a key.
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const hostile = `__proto__ ${b64('{"polluted":"yes"}')},constructor ${b64('x')},filename ${b64('proto.txt')}`;
    const location = await create(t.endpoint, { 'Upload-Length': 2, 'Upload-Metadata': hostile });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const echoed = (await head(location)).headers['upload-metadata']!.split(',');
    expect(echoed).toContain(`__proto__ ${b64('{"polluted":"yes"}')}`);
    expect(echoed).toContain(`constructor ${b64('x')}`);
    expect((await patch(location, 0, 'ok')).status).toBe(204);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await readFile(path.join(t.dir, 'proto.txt'), 'utf8')).toBe('ok');
  });
});

describe('POST: success', () => {
  it('answers 201 with an absolute Location under /files/ and a future Upload-Expires', async () => {
    const before = Date.now();
    const answer = await send(t.endpoint, 'POST', { 'Upload-Length': 10 });
    expect(answer.status).toBe(201);
    expect(answer.headers.location).toMatch(new RegExp(`^${t.endpoint}[A-Za-z0-9_-]{16,}$`));
    expect(answer.headers['tus-resumable']).toBe('1.0.0');
    const expires = Date.parse(answer.headers['upload-expires'] ?? '');
    // Default expiry is 24 h; the header has one-second resolution.
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 24 * 3600_000 - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 24 * 3600_000 + 1000);
  });

  it('creation-with-upload: 201 with Upload-Offset of the stored prefix and Upload-Expires', async () => {
    const answer = await send(t.endpoint, 'POST', { 'Upload-Length': 10, ...octet }, 'hello');
    expect(answer.status).toBe(201);
    expect(answer.headers['upload-offset']).toBe('5');
    expect(answer.headers['upload-expires']).toBeDefined();
    expect((await head(answer.headers.location!)).headers['upload-offset']).toBe('5');
  });

  it('creation-with-upload with the whole file completes it at once', async () => {
    const answer = await send(
      t.endpoint,
      'POST',
      { 'Upload-Length': 5, 'Upload-Metadata': meta({ filename: 'at-once.txt' }), ...octet },
      'whole',
    );
    expect(answer.status).toBe(201);
    expect(answer.headers['upload-offset']).toBe('5');
    expect(answer.headers['upload-expires']).toBeUndefined();
    expect(await readFile(path.join(t.dir, 'at-once.txt'), 'utf8')).toBe('whole');
  });

  it('creation-with-upload with the wrong Content-Type answers 415 and creates nothing', async () => {
    const before = await uploadCount();
    const answer = await send(t.endpoint, 'POST', { 'Upload-Length': 5, 'Content-Type': 'text/plain' }, 'whole');
    expect(answer.status).toBe(415);
    expect(await uploadCount()).toBe(before);
  });

  it('Upload-Length: 0 completes immediately: an empty file lands and HEAD shows 0/0', async () => {
    const answer = await send(t.endpoint, 'POST', {
      'Upload-Length': 0,
      'Upload-Metadata': meta({ filename: 'empty.txt' }),
    });
    expect(answer.status).toBe(201);
    expect(answer.headers['upload-offset']).toBe('0');
    expect((await readFile(path.join(t.dir, 'empty.txt'))).length).toBe(0);
    const state = await head(answer.headers.location!);
    expect([state.status, state.headers['upload-offset'], state.headers['upload-length']]).toEqual([200, '0', '0']);
    expect(await listFiles(t.dir)).toContain('empty.txt');
  });
});
