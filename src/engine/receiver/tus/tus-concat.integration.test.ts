/**
 * PROTOCOL.md tus table, part 3: concatenation, and where completed uploads land in the receive folder.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  create,
  head,
  listFiles,
  meta,
  patch,
  receiverForAll,
  receiverForTest,
  send,
  type TestReceiver,
} from '../../../../test/support/tus-test-client';

describe('concatenation', () => {
  const t = receiverForAll();

  async function partial(data: Buffer, finish = true): Promise<string> {
    const location = await create(t.endpoint, { 'Upload-Length': data.length, 'Upload-Concat': 'partial' });
    if (finish) expect((await patch(location, 0, data)).status).toBe(204);
    return location;
  }
  const uploadCount = async () => (await t.receiver.store.list()).length;

  it('a final upload of finished partials: HEAD gives offset = length = the sum, and the file lands', async () => {
    const parts = [randomBytes(5000), randomBytes(1), randomBytes(70_000)];
    const urls = [];
    for (const data of parts) urls.push(await partial(data));
    const partialHead = await head(urls[0]!);
    expect(partialHead.headers['upload-concat']).toBe('partial');
    const answer = await send(t.endpoint, 'POST', {
      'Upload-Concat': `final;${urls.join(' ')}`,
      'Upload-Metadata': meta({ filename: 'joined.bin' }),
    });
    expect(answer.status).toBe(201);
    expect(answer.headers.location).toMatch(/\/files\/[A-Za-z0-9_-]+$/);
    const total = parts.reduce((sum, data) => sum + data.length, 0);
    const final = await head(answer.headers.location!);
    expect(final.status).toBe(200);
    expect([final.headers['upload-offset'], final.headers['upload-length']]).toEqual([String(total), String(total)]);
    expect(final.headers['upload-concat']).toMatch(/^final;/);
    expect(
      final.headers['upload-concat']!.slice('final;'.length)
        .split(' ')
        .map((url) => url.slice(url.lastIndexOf('/') + 1)),
    ).toEqual(urls.map((url) => url.slice(url.lastIndexOf('/') + 1)));
    expect(await readFile(path.join(t.dir, 'joined.bin'))).toEqual(Buffer.concat(parts));
    // Partials are building blocks, never received files of their own.
    expect(await listFiles(t.dir)).toEqual(['joined.bin']);
  });

  it('accepts partials named by relative URLs', async () => {
    const a = await partial(Buffer.from('left-'));
    const b = await partial(Buffer.from('right'));
    const relative = [a, b].map((url) => new URL(url).pathname).join(' ');
    const answer = await send(t.endpoint, 'POST', {
      'Upload-Concat': `final;${relative}`,
      'Upload-Metadata': meta({ filename: 'relative.txt' }),
    });
    expect(answer.status).toBe(201);
    expect(await readFile(path.join(t.dir, 'relative.txt'), 'utf8')).toBe('left-right');
  });

  it('a one-part final sealed with the wrong sha256 is refused and leaves the part whole for a second try', async () => {
    const data = randomBytes(40_000);
    const url = await partial(data);
    const wrong = await send(t.endpoint, 'POST', {
      'Upload-Concat': `final;${url}`,
      'Upload-Metadata': meta({ filename: 'sealed.bin', sha256: '0'.repeat(64) }),
    });
    expect([wrong.status, wrong.headers['x-ferry-error']]).toEqual([460, 'SHA256_MISMATCH']);
    expect(await listFiles(t.dir)).not.toContain('sealed.bin');
    const sha256 = createHash('sha256').update(data).digest('hex');
    const right = await send(t.endpoint, 'POST', {
      'Upload-Concat': `final;${url}`,
      'Upload-Metadata': meta({ filename: 'sealed.bin', sha256 }),
    });
    expect(right.status).toBe(201);
    expect(await readFile(path.join(t.dir, 'sealed.bin'))).toEqual(data);
    // The part's bytes go once the final upload has them.
    expect((await t.receiver.store.get(url.slice(url.lastIndexOf('/') + 1)))?.info.dataReleased).toBe(true);
  });

  it('a final repeated after its answer was lost, or twice at once, lands the file once and answers the same upload', async () => {
    const data = randomBytes(300_000);
    const url = await partial(data);
    const sha256 = createHash('sha256').update(data).digest('hex');
    const seal = () =>
      send(t.endpoint, 'POST', {
        'Upload-Concat': `final;${url}`,
        'Upload-Metadata': meta({ filename: 'once.bin', sha256 }),
      });
    const [a, b] = await Promise.all([seal(), seal()]);
    const c = await seal();
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    expect(new Set([a.headers.location, b.headers.location, c.headers.location]).size).toBe(1);
    expect((await listFiles(t.dir)).filter((name) => name.startsWith('once'))).toEqual(['once.bin']);
    expect(await readFile(path.join(t.dir, 'once.bin'))).toEqual(data);
  });

  it('PATCH to a final upload answers 403 and changes nothing', async () => {
    const a = await partial(Buffer.from('abc'));
    const final = await create(t.endpoint, { 'Upload-Concat': `final;${a}` });
    const answer = await patch(final, 3, 'more');
    expect(answer.status).toBe(403);
    expect((await head(final)).headers['upload-offset']).toBe('3');
  });

  it('a final upload with an unfinished partial answers 400 and creates nothing', async () => {
    const done = await partial(Buffer.from('done'));
    const unfinished = await partial(Buffer.from('half-done'), false);
    await patch(unfinished, 0, 'half');
    const before = await uploadCount();
    const answer = await send(t.endpoint, 'POST', { 'Upload-Concat': `final;${done} ${unfinished}` });
    expect(answer.status).toBe(400);
    expect(await uploadCount()).toBe(before);
    expect((await head(unfinished)).headers['upload-offset']).toBe('4');
  });

  it.each([
    ['an unknown id', () => `${t.endpoint}AAAAAAAAAAAAAAAAAAAAAA`],
    ['an invalid id', () => `${t.endpoint}..%2F..%2Fx`],
    ['a URL outside the endpoint', () => `${t.url}/elsewhere/AAAAAAAAAAAAAAAAAAAAAA`],
  ])('a final upload naming %s answers 404 or 400 and creates nothing', async (_name, bad) => {
    const a = await partial(Buffer.from('abc'));
    const before = await uploadCount();
    const answer = await send(t.endpoint, 'POST', { 'Upload-Concat': `final;${a} ${bad()}` });
    expect([400, 404]).toContain(answer.status);
    expect(await uploadCount()).toBe(before);
  });

  it('a final upload naming an upload that is not a partial answers 400', async () => {
    const plain = await create(t.endpoint, { 'Upload-Length': 3 });
    await patch(plain, 0, 'abc');
    expect((await send(t.endpoint, 'POST', { 'Upload-Concat': `final;${plain}` })).status).toBe(400);
  });

  it.each([
    ['Upload-Length on a final upload', (a: string) => ({ 'Upload-Concat': `final;${a}`, 'Upload-Length': '3' })],
    ['a final with no URLs', () => ({ 'Upload-Concat': 'final;' })],
    ['an unknown Upload-Concat kind', () => ({ 'Upload-Concat': 'whole', 'Upload-Length': '3' })],
  ])('%s answers 400', async (_name, headers) => {
    const a = await partial(Buffer.from('abc'));
    expect((await send(t.endpoint, 'POST', headers(a))).status).toBe(400);
  });

  it('a partial already used by a final answers 404 when reused in another final, never 5xx, and leaves no record', async () => {
    const a = await partial(Buffer.from('once'));
    const b = await partial(Buffer.from('more'));
    expect((await send(t.endpoint, 'POST', { 'Upload-Concat': `final;${a}` })).status).toBe(201);
    const before = await uploadCount();
    expect((await send(t.endpoint, 'POST', { 'Upload-Concat': `final;${a} ${b}` })).status).toBe(404);
    expect(await uploadCount()).toBe(before);
  });

  it.each([
    ['ENOENT (a racing final took the bytes)', 'ENOENT', 404],
    ['EIO', 'EIO', 500],
  ])(
    'a concatenation failing with %s (%s) answers %i and leaves no final record behind',
    async (_name, code, status) => {
      const a = await partial(Buffer.from('abc'));
      const before = await uploadCount();
      const store = t.receiver.store;
      const original = store.concatenate;
      // Fault injection on the shared store object the handlers use.
      store.concatenate = () => Promise.reject(Object.assign(new Error(`injected ${code}`), { code }));
      try {
        expect((await send(t.endpoint, 'POST', { 'Upload-Concat': `final;${a}` })).status).toBe(status);
      } finally {
        store.concatenate = original;
      }
      expect(await uploadCount()).toBe(before);
      expect((await send(t.endpoint, 'POST', { 'Upload-Concat': `final;${a}` })).status).toBe(201);
    },
  );
});

describe('completed uploads in the receive folder', () => {
  let t: TestReceiver;
  beforeEach(async () => {
    t = await receiverForTest();
  });

  async function upload(metadata: Record<string, string>, data: string): Promise<void> {
    const location = await create(t.endpoint, { 'Upload-Length': data.length, 'Upload-Metadata': meta(metadata) });
    expect((await patch(location, 0, data)).status).toBe(204);
    const state = await head(location);
    // The id keeps answering after completion, with offset = length.
    expect([state.status, state.headers['upload-offset']]).toEqual([200, String(data.length)]);
  }

  it('lands under its filename', async () => {
    await upload({ filename: 'report.pdf' }, 'pdf-bytes');
    expect(await listFiles(t.dir)).toEqual(['report.pdf']);
    expect(await readFile(path.join(t.dir, 'report.pdf'), 'utf8')).toBe('pdf-bytes');
  });

  it('relativePath places it in sub-folders inside the receive folder', async () => {
    await upload({ filename: 'pic.jpg', relativePath: 'photos/2024/pic.jpg' }, 'jpeg');
    await upload({ filename: 'notes.txt', relativePath: 'docs/' }, 'text');
    expect(await listFiles(t.dir)).toEqual(['docs/notes.txt', 'photos/2024/pic.jpg']);
  });

  it('a collision gets a suffix and never overwrites', async () => {
    await upload({ filename: 'same.txt' }, 'first');
    await upload({ filename: 'same.txt' }, 'second');
    await upload({ filename: 'same.txt' }, 'third');
    expect(await listFiles(t.dir)).toEqual(['same (1).txt', 'same (2).txt', 'same.txt']);
    expect(await readFile(path.join(t.dir, 'same.txt'), 'utf8')).toBe('first');
    expect(await readFile(path.join(t.dir, 'same (1).txt'), 'utf8')).toBe('second');
  });

  it('hostile names and paths stay inside the receive folder', async () => {
    const hostile: [Record<string, string>, string][] = [
      [{ filename: '../../x' }, 'x'],
      [{ filename: '/etc/passwd' }, 'passwd'],
      [{ filename: '..\\..\\y' }, 'y'],
      [{ filename: 'CON' }, '_CON'],
      [{ filename: '\\\\server\\share\\unc.txt' }, 'unc.txt'],
      [{ filename: 'evil\u202Etxt.exe' }, 'eviltxt.exe'],
      [{ filename: 'up.txt', relativePath: '../../escape/up.txt' }, 'escape/up.txt'],
      [{ filename: 'abs.txt', relativePath: '/tmp/abs/abs.txt' }, 'tmp/abs/abs.txt'],
      [{ filename: 'state.txt', relativePath: '.ferry/uploads/state.txt' }, '_ferry/uploads/state.txt'],
    ];
    for (const [metadata, _expected] of hostile) await upload(metadata, 'data');
    expect(await listFiles(t.dir)).toEqual(hostile.map(([, expected]) => expected).sort());
    // Nothing beside the receive folder, and the state folder holds only upload records.
    expect(await readdir(t.base)).toEqual(['received']);
    // Finished uploads' records sit in finished/<bucket>/.
    for (const name of await readdir(t.stateDir, { recursive: true }))
      expect(name).toMatch(/^(finished(\/\d+(\/[A-Za-z0-9_-]+\.info)?)?|[A-Za-z0-9_-]+\.info)$/);
  });
});
