import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listFiles, receiverForFile, startReceiver, stateDirOf } from './support/fixtures';
import { call, encodeMetadata, patch, rawRoundTrip, testToken } from './support/http-kit';

// RELIABILITY cases 20 and 21: hostile upload ids, Upload-Metadata and numeric headers.
const running = receiverForFile();

beforeAll(async () => {
  // A decoy record just outside the state folder: any id that escapes it would find this.
  const ferry = join(running.dir, '.ferry');
  await mkdir(ferry, { recursive: true });
  const now = new Date().toISOString();
  await writeFile(join(ferry, 'victim'), 'do not touch');
  await writeFile(
    join(ferry, 'victim.info'),
    JSON.stringify({ id: 'victim', length: 12, metadata: {}, status: 'created', createdAt: now, touchedAt: now }),
  );
  await writeFile(join(running.dir, 'outside.txt'), 'do not touch');
});

const pollutedNow = () => ({}) as Record<string, unknown>;

describe('upload ids that decode to separators, NUL or ..', () => {
  const hostileIds = [
    '..%2Fvictim',
    '%2e%2e%2Fvictim',
    '..%2F..%2Foutside.txt',
    '%2E%2E',
    '..%5Cvictim',
    'abcdefgh%5C..%5Cvictim',
    'abcdefgh%00',
    '%00abcdefghij',
    'abcdefgh%2Fijkl',
    '%252e%252e%252fvictim',
    '%2Fetc%2Fpasswd',
    'C%3A%5Cwindows',
    'abcdefgh%0d%0aX-Injected:%201',
    '%C0%AE%C0%AE%2Fvictim',
    '%',
    'abcdefgh%zz',
    'AAAAAAAAAAAAAAAAAAAAAA',
  ];

  for (const method of ['HEAD', 'PATCH', 'DELETE'] as const) {
    it(`${method} answers 404 and touches nothing`, async () => {
      const before = await listFiles(running.dir);
      for (const id of hostileIds) {
        const reply =
          method === 'PATCH'
            ? await patch(running.target, id, 0, Buffer.from('x'))
            : await call(running.target, method, `/files/${id}`);
        expect(reply.status, `${method} /files/${id}`).toBe(404);
        expect(reply.headers['x-injected']).toBeUndefined();
      }
      expect(await listFiles(running.dir)).toEqual(before);
    });
  }

  it('refuses raw (unencoded) traversal in the request line without reaching outside', async () => {
    for (const target of [
      '/files/../.ferry/victim',
      '/files/..\\..\\outside.txt',
      '/files//victim',
      '/files/./../victim',
    ]) {
      const { reply } = await rawRoundTrip(
        running.port,
        `HEAD ${target} HTTP/1.1\r\nHost: 127.0.0.1:${running.port}\r\nAuthorization: Bearer ${testToken}\r\nTus-Resumable: 1.0.0\r\nConnection: close\r\n\r\n`,
      );
      expect(reply?.status, target).toBeGreaterThanOrEqual(400);
      expect(reply?.status, target).toBeLessThan(500);
    }
  });
});

describe('hostile Upload-Metadata', () => {
  const prototypeKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__'];

  it('keeps prototype-named keys as plain data (or refuses them) and pollutes nothing', async () => {
    for (const key of prototypeKeys) {
      const header = `${key} ${Buffer.from('{"polluted":"yes"}').toString('base64')},filename ${Buffer.from('proto.bin').toString('base64')}`;
      const created = await call(running.target, 'POST', '/files/', {
        'Upload-Length': '3',
        'Upload-Metadata': header,
      });
      expect([201, 400], key).toContain(created.status);
      if (created.status === 201) {
        const head = await call(running.target, 'HEAD', new URL(created.headers.location!).pathname);
        expect(head.status).toBe(200);
        // The key comes back as data, exactly as sent.
        expect(head.headers['upload-metadata']).toContain(`${key} `);
      }
      expect(pollutedNow().polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    }
  });

  it('survives a restart with those records without polluting anything', async () => {
    const dir = running.dir;
    const again = await startReceiver({ dir, stateDir: stateDirOf(dir) });
    try {
      expect((await call(again.target, 'GET', '/healthz')).status).toBe(200);
      expect(pollutedNow().polluted).toBeUndefined();
      for (const info of await again.receiver.store.list()) expect(Object.getPrototypeOf(info.metadata)).toBeNull();
    } finally {
      await again.receiver.close();
    }
  });

  const badHeaders: Record<string, string> = {
    'too long': `filename ${Buffer.alloc(9 * 1024, 'a').toString('base64')}`,
    'too many pairs': Array.from({ length: 40 }, (_, i) => `k${i} YQ==`).join(','),
    'not base64': 'filename ***',
    'duplicate key': 'filename YQ==,filename Yg==',
    'empty key': ',filename YQ==',
    'key with a comma-split space': 'file name YQ==',
    'control character in key': 'file\u0001name YQ==',
  };
  for (const [label, header] of Object.entries(badHeaders)) {
    it(`answers 400 for metadata that is ${label}`, async () => {
      const before = await listFiles(running.dir);
      const reply = await call(running.target, 'POST', '/files/', {
        'Upload-Length': '3',
        'Upload-Metadata': header,
      }).catch((error: Error) => ({ status: -1, body: error.message }));
      // Node itself refuses a control character in a header before it reaches us; that is fine too.
      if (reply.status !== -1) expect(reply.status).toBe(400);
      expect(await listFiles(running.dir)).toEqual(before);
    });
  }

  it('takes a large but legal metadata set', async () => {
    const pairs = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`key${i}`, `value ${i}`]));
    expect(
      (
        await call(running.target, 'POST', '/files/', {
          'Upload-Length': '3',
          'Upload-Metadata': encodeMetadata(pairs),
        })
      ).status,
    ).toBe(201);
  });
});

describe('hostile numeric headers', () => {
  const badNumbers = ['-1', '05', '1e3', '0x10', '1.5', '9007199254740993', '99999999999999999999', '1,2', '+1', 'NaN'];

  it('answers 400 to a malformed Upload-Length and creates nothing', async () => {
    const before = await listFiles(running.dir);
    for (const value of badNumbers)
      expect((await call(running.target, 'POST', '/files/', { 'Upload-Length': value })).status, value).toBe(400);
    expect(await listFiles(running.dir)).toEqual(before);
  });

  it('answers 400 to a malformed Upload-Offset and writes nothing', async () => {
    const created = await call(running.target, 'POST', '/files/', { 'Upload-Length': '10' });
    const path = new URL(created.headers.location!).pathname;
    for (const value of badNumbers) {
      const reply = await call(
        running.target,
        'PATCH',
        path,
        { 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': value },
        Buffer.from('abc'),
      );
      expect(reply.status, value).toBe(400);
    }
    expect((await call(running.target, 'HEAD', path)).headers['upload-offset']).toBe('0');
  });
});
