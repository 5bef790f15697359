/**
 * PROTOCOL.md tus table, part 4: lock contention (request release), clients that vanish mid-PATCH,
 * hostile upload ids, CORS, and expiry promises that must survive a restart.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  create,
  dataSize,
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
  waitFor,
} from '../../../../test/support/tus-test-client';

const t = receiverForAll({ corsOrigins: ['http://app.example'] });

const total = 1024 * 1024;

/** Starts a PATCH announcing `length` bytes, sends `first`, and keeps the request open. */
async function slowPatch(location: string, length: number, first: Buffer) {
  const pending = open(location, 'PATCH', { ...tusHeaders, ...octet, 'Upload-Offset': '0', 'Content-Length': length });
  await new Promise<void>((resolve) => pending.req.write(first, () => resolve()));
  // The server has taken every byte sent so far once the data file holds them.
  await waitFor(async () => (await dataSize(t, location)) === first.length);
  return pending;
}

/** A PATCH announcing `total` bytes whose client vanishes once `first` is sent. */
async function vanishingPatch(location: string, first: Buffer): Promise<void> {
  const pending = open(location, 'PATCH', { ...tusHeaders, ...octet, 'Upload-Offset': '0', 'Content-Length': total });
  pending.reply.catch(() => undefined);
  await new Promise<void>((resolve) => pending.req.write(first, () => resolve()));
  pending.req.destroy();
}

describe('lock contention: request release', () => {
  it('a HEAD asks the running PATCH to let go: the PATCH answers 400 ERR_UPLOAD_INTERRUPTED, the HEAD sees its bytes', async () => {
    const data = randomBytes(total);
    const location = await create(t.endpoint, {
      'Upload-Length': total,
      'Upload-Metadata': meta({ filename: 'released.bin' }),
    });
    const first = await slowPatch(location, total, data.subarray(0, 64 * 1024));
    const state = await head(location);
    expect(state.status).toBe(200);
    expect(state.headers['upload-offset']).toBe(String(64 * 1024));
    const interrupted = await first.reply;
    expect(interrupted.status).toBe(400);
    expect(interrupted.headers['x-ferry-error']).toBe('ERR_UPLOAD_INTERRUPTED');
    expect(interrupted.headers['upload-offset']).toBe(String(64 * 1024));
    expect(interrupted.headers.connection).toBe('close');
    // The client resumes from the reported offset and the file is whole.
    expect((await patch(location, 64 * 1024, data.subarray(64 * 1024))).status).toBe(204);
    expect((await readFile(path.join(t.dir, 'released.bin'))).equals(data)).toBe(true);
  });

  it("a second PATCH takes over from the first one's offset and finishes, with no interleaved bytes", async () => {
    const data = randomBytes(total);
    const location = await create(t.endpoint, {
      'Upload-Length': total,
      'Upload-Metadata': meta({ filename: 'taken-over.bin' }),
    });
    const first = await slowPatch(location, total, data.subarray(0, 200 * 1024));
    const second = await patch(location, 200 * 1024, data.subarray(200 * 1024));
    expect([second.status, second.headers['upload-offset']]).toEqual([204, String(total)]);
    const interrupted = await first.reply;
    expect([interrupted.status, interrupted.headers['x-ferry-error']]).toEqual([400, 'ERR_UPLOAD_INTERRUPTED']);
    // The first client wakes up and writes more: nothing of it may land.
    first.req.destroy();
    expect((await readFile(path.join(t.dir, 'taken-over.bin'))).equals(data)).toBe(true);
  });

  it('a PATCH that never goes quiet still lets go: the HEAD answers within seconds with the bytes on disk', async () => {
    const location = await create(t.endpoint, { 'Upload-Length': 64 * total });
    const first = await slowPatch(location, 64 * total, Buffer.alloc(4096));
    const ticker = setInterval(() => first.req.write(Buffer.alloc(4096)), 5);
    try {
      const started = Date.now();
      const state = await head(location);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(state.headers['upload-offset']).toBe(String(await dataSize(t, location)));
      expect((await first.reply).headers['x-ferry-error']).toBe('ERR_UPLOAD_INTERRUPTED');
    } finally {
      clearInterval(ticker);
      first.req.destroy();
    }
  });
});

describe('client vanishes mid-PATCH', () => {
  it.each([1000, 16 * 1024, 256 * 1024 + 7])(
    'after %i bytes, the next HEAD shows every byte received, and the upload resumes',
    async (sent) => {
      const data = randomBytes(total);
      const location = await create(t.endpoint, {
        'Upload-Length': total,
        'Upload-Metadata': meta({ filename: `vanished-${sent}.bin` }),
      });
      await vanishingPatch(location, data.subarray(0, sent));
      let offset = '';
      await waitFor(async () => {
        offset = (await head(location)).headers['upload-offset'] ?? '';
        return offset === String(sent);
      }, 3_000).catch(() => undefined);
      expect(offset).toBe(String(sent));
      expect((await patch(location, sent, data.subarray(sent))).status).toBe(204);
      expect((await readFile(path.join(t.dir, `vanished-${sent}.bin`))).equals(data)).toBe(true);
    },
  );

  it('without any other request, the bytes land and the lock is freed: the sweeper can expire the upload', async () => {
    const own = await receiverForTest();
    const location = await create(own.endpoint, { 'Upload-Length': total });
    await vanishingPatch(location, randomBytes(1000));
    await waitFor(async () => (await dataSize(own, location)) === 1000, 3_000);
    // The sweeper skips locked uploads, so it only expires this one once the dead PATCH let go.
    await waitFor(async () => (await own.receiver.sweep(Date.now() + 48 * 3600_000)).length === 1, 3_000);
  });
});

describe('hostile upload ids', () => {
  const ids = [
    '..%2F..%2Fsentinel',
    '..%2F..%2F..%2Fsentinel',
    '%2Fetc%2Fpasswd',
    'AAAAAAAAAAAA%2F..%2F..',
    '..%5C..%5Csentinel',
    'AAAAAAAAAAAA%5Cx',
    'AAAAAAAAAAAA%00',
    '%00',
    '..',
    '%2e%2e',
    '%2E%2E%2F%2E%2E%2Fsentinel',
    '.%2e/.%2e/sentinel',
    'AAAAAAAAAAAA/extra',
  ];
  const cases = ['HEAD', 'PATCH', 'DELETE'].flatMap((method) => ids.map((id) => [method, id] as const));

  it.each(cases)('%s /files/%s answers 404 and touches nothing outside the store', async (method, id) => {
    // Sentinels where a naive join of the decoded id would reach: beside the store, the receive folder and its parent.
    const sentinels = [
      path.join(t.base, 'sentinel'),
      path.join(t.dir, 'sentinel'),
      path.join(t.dir, '.ferry', 'sentinel'),
    ];
    await mkdir(path.join(t.dir, '.ferry'), { recursive: true });
    for (const file of sentinels) await writeFile(file, 'keep');
    const before = await listFiles(t.base, false);
    const answer =
      method === 'PATCH' ? await patch(`${t.endpoint}${id}`, 0, 'evil') : await send(`${t.endpoint}${id}`, method);
    expect(answer.status).toBe(404);
    expect(answer.headers['upload-offset']).toBeUndefined();
    for (const file of sentinels) expect(await readFile(file, 'utf8')).toBe('keep');
    expect(await listFiles(t.base, false)).toEqual(before);
  });
});

describe('CORS', () => {
  const allowed = 'http://app.example';
  const exposed = (value: string | undefined) => (value ?? '').split(',').map((name) => name.trim().toLowerCase());

  it('an allowed Origin gets itself back, never *, with Upload-Offset and Location exposed', async () => {
    const created = await send(t.endpoint, 'POST', { Origin: allowed, 'Upload-Length': 10 });
    expect(created.status).toBe(201);
    expect(created.headers['access-control-allow-origin']).toBe(allowed);
    expect(exposed(created.headers['access-control-expose-headers'])).toEqual(
      expect.arrayContaining(['upload-offset', 'location', 'upload-length', 'tus-resumable']),
    );
    const state = await head(created.headers.location!, { Origin: allowed });
    expect(state.headers['access-control-allow-origin']).toBe(allowed);
    expect(exposed(state.headers['access-control-expose-headers'])).toContain('upload-offset');
  });

  it('a preflight from an allowed Origin needs no token and allows the tus methods and headers', async () => {
    const { req, reply } = open(t.endpoint, 'OPTIONS', {
      Origin: allowed,
      'Access-Control-Request-Method': 'PATCH',
      'Access-Control-Request-Headers': 'upload-offset,tus-resumable,content-type',
    });
    req.end();
    const answer = await reply;
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe(allowed);
    expect(exposed(answer.headers['access-control-allow-methods'])).toEqual(
      expect.arrayContaining(['post', 'head', 'patch', 'delete']),
    );
    expect(exposed(answer.headers['access-control-allow-headers'])).toEqual(
      expect.arrayContaining(['upload-offset', 'tus-resumable', 'upload-metadata', 'upload-checksum']),
    );
  });

  it.each(['http://evil.example', 'null', 'http://app.example.evil.example', 'https://app.example'])(
    'Origin %s gets no Access-Control-Allow-Origin',
    async (origin) => {
      const created = await send(t.endpoint, 'POST', { Origin: origin, 'Upload-Length': 10 });
      expect(created.headers['access-control-allow-origin']).toBeUndefined();
      const { req, reply } = open(t.endpoint, 'OPTIONS', { Origin: origin, 'Access-Control-Request-Method': 'PATCH' });
      req.end();
      const preflight = await reply;
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      expect(preflight.headers['access-control-allow-methods']).toBeUndefined();
    },
  );
});

describe('expiry across a restart', () => {
  it('the Upload-Expires a PATCH promised still holds after the receiver restarts', async () => {
    const first = await receiverForTest();
    const location = await create(first.endpoint, { 'Upload-Length': 10 });
    // Upload-Expires has one-second resolution: let the PATCH land in a later second than the POST.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const promised = (await patch(location, 0, 'abc')).headers['upload-expires'];
    await first.close();
    const second = await receiverForTest({}, first.base);
    const state = await head(location.replace(first.url, second.url));
    expect(state.headers['upload-offset']).toBe('3');
    expect(state.headers['upload-expires']).toBe(promised);
  });
});
