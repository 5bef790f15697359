import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BOUNDARY,
  closingBoundary,
  fieldPart,
  filePart,
  listReceived,
  rawUpload,
  type TestServer,
  testServerPerTest,
  waitForEmpty,
} from '../../../../test/support/multipart-test-server';

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

interface Stored {
  name: string;
  size: number;
  sha256: string;
  path: string;
}

const start = testServerPerTest();

async function post(url: string, form: FormData): Promise<{ status: number; body: unknown; type: string | null }> {
  const response = await fetch(url, { method: 'POST', body: form });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
}

function statusesOf(s: TestServer, uploadId: string): string[] {
  return s.calls.filter((c) => c.kind === 'transition' && c.uploadId === uploadId).map((c) => c.status ?? '');
}

describe('POST /upload (multipart)', () => {
  it('stores two files plus a field and answers 201 with name, size, sha256 and path', async () => {
    const s = await start();
    const first = randomBytes(70_000);
    const second = Buffer.from('second file ✓\n');
    const form = new FormData();
    form.append('note', 'hello');
    form.append('file', new Blob([first]), 'first.bin');
    form.append('file', new Blob([second]), 'résumé.txt');
    const { status, body, type } = await post(s.url, form);
    expect(status).toBe(201);
    expect(type).toMatch(/^application\/json/);
    const stored = body as Stored[];
    expect(stored).toEqual([
      { name: 'first.bin', size: first.length, sha256: sha256(first), path: 'first.bin' },
      { name: 'résumé.txt', size: second.length, sha256: sha256(second), path: 'résumé.txt' },
    ]);
    expect(await readFile(path.join(s.dir, 'first.bin'))).toEqual(first);
    expect(await readFile(path.join(s.dir, 'résumé.txt'))).toEqual(second);

    // Progress: registered as multipart uploads, offsets only grow, and each ends completed.
    const registered = s.calls.filter((c) => c.kind === 'register');
    expect(registered.map((c) => c.filename)).toEqual(['first.bin', 'résumé.txt']);
    for (const { uploadId } of registered) {
      const offsets = s.calls.filter((c) => c.kind === 'advance' && c.uploadId === uploadId).map((c) => c.offset ?? -1);
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      expect(statusesOf(s, uploadId)).toEqual(['running', 'completed']);
    }
    const firstId = registered[0]?.uploadId;
    expect(s.calls.filter((c) => c.kind === 'advance' && c.uploadId === firstId).at(-1)?.offset).toBe(first.length);
  });

  it('streams a 20 MB file to disk with a matching hash', async () => {
    const s = await start();
    const big = randomBytes(20 * 1024 * 1024);
    const form = new FormData();
    form.append('file', new Blob([big]), 'big.bin');
    const { status, body } = await post(s.url, form);
    expect(status).toBe(201);
    expect(body).toEqual([{ name: 'big.bin', size: big.length, sha256: sha256(big), path: 'big.bin' }]);
    expect((await stat(path.join(s.dir, 'big.bin'))).size).toBe(big.length);
    expect(sha256(await readFile(path.join(s.dir, 'big.bin')))).toBe(sha256(big));
    // Written in many steps, not buffered whole and written once.
    expect(s.calls.filter((c) => c.kind === 'advance').length).toBeGreaterThan(10);
  });

  it('never overwrites: the same name twice gets a suffix', async () => {
    const s = await start();
    for (const content of ['one', 'two']) {
      const form = new FormData();
      form.append('file', new Blob([content]), 'same.txt');
      expect((await post(s.url, form)).status).toBe(201);
    }
    expect(await listReceived(s.dir)).toEqual(['same (1).txt', 'same.txt']);
    expect(await readFile(path.join(s.dir, 'same.txt'), 'utf8')).toBe('one');
  });

  it('keeps hostile file names inside the receive folder', async () => {
    const s = await start();
    const form = new FormData();
    form.append('a', new Blob(['a']), '../../etc/passwd');
    form.append('b', new Blob(['b']), 'C:\\x\\con.txt');
    form.append('c', new Blob(['c']), '\\\\server\\share\\evil\u202Etxt.exe');
    const { status, body } = await post(s.url, form);
    expect(status).toBe(201);
    expect((body as Stored[]).map((f) => f.path)).toEqual(['passwd', '_con.txt', 'eviltxt.exe']);
    expect(await listReceived(s.dir)).toEqual(['_con.txt', 'eviltxt.exe', 'passwd']);
  });

  it('sanitizes control characters and bidi overrides from a raw filename header', async () => {
    const s = await start();
    // Raw header values may not hold controls, but RFC 5987 `filename*` can percent-encode anything.
    const encoded = encodeURIComponent('a\u0001b\u202Ec\u200B\u0085.txt');
    const part = Buffer.concat([
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename*=UTF-8''${encoded}\r\n\r\nx\r\n`,
      ),
      closingBoundary,
    ]);
    const body = part;
    const result = await rawUpload(s.port, body, { after: 'wait' });
    expect(result.status).toBe(201);
    expect((JSON.parse(result.body) as Stored[])[0]?.name).toBe('abc.txt');
  });

  it('accepts a file of exactly maxFileSize bytes (busboy counts the limit inclusively)', async () => {
    const s = await start({ limits: { maxFileSize: 1000 } });
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(1000, 7)]), 'exact.bin');
    const { status, body } = await post(s.url, form);
    expect(status).toBe(201);
    expect((body as Stored[])[0]?.size).toBe(1000);
  });

  it('answers 413 FILE_TOO_LARGE for a file over maxFileSize and deletes every file of the request', async () => {
    const s = await start({ limits: { maxFileSize: 1000 } });
    const form = new FormData();
    form.append('ok', new Blob([Buffer.alloc(10)]), 'small.bin');
    form.append('big', new Blob([Buffer.alloc(200_000)]), 'big.bin');
    const { status, body } = await post(s.url, form);
    expect(status).toBe(413);
    expect(body).toMatchObject({ error: { code: 'FILE_TOO_LARGE' } });
    expect(await waitForEmpty(s.dir)).toEqual([]);
    // Whatever got as far as progress registration ends failed; nothing is reported completed.
    for (const { uploadId } of s.calls.filter((c) => c.kind === 'register')) {
      expect(statusesOf(s, uploadId).at(-1)).toBe('failed');
    }
    expect(s.calls.some((c) => c.status === 'completed')).toBe(false);
  });

  it('answers 413 TOO_MANY_FILES and stores nothing', async () => {
    const s = await start({ limits: { maxFiles: 2 } });
    const form = new FormData();
    for (let i = 0; i < 3; i += 1) form.append('file', new Blob([`f${i}`]), `f${i}.txt`);
    const { status, body } = await post(s.url, form);
    expect(status).toBe(413);
    expect(body).toMatchObject({ error: { code: 'TOO_MANY_FILES' } });
    expect(await waitForEmpty(s.dir)).toEqual([]);
  });

  it.each([
    ['TOO_MANY_FIELDS', { maxFields: 2 }, () => [fieldPart('a', '1'), fieldPart('b', '2'), fieldPart('c', '3')]],
    ['FIELD_TOO_LARGE', { maxFieldSize: 16 }, () => [fieldPart('a', 'x'.repeat(17))]],
    [
      'TOO_MANY_PARTS',
      { maxParts: 3 },
      () => [fieldPart('a', '1'), fieldPart('b', '2'), fieldPart('c', '3'), fieldPart('d', '4')],
    ],
  ] as const)('answers 413 %s and stores nothing', async (code, limits, parts) => {
    const s = await start({ limits });
    const body = Buffer.concat([filePart('f', 'kept-not.txt', 'data'), ...parts(), closingBoundary]);
    const result = await rawUpload(s.port, body, { after: 'wait' });
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body)).toMatchObject({ error: { code } });
    expect(await waitForEmpty(s.dir)).toEqual([]);
  });

  it('accepts exactly maxParts parts', async () => {
    const s = await start({ limits: { maxParts: 3 } });
    const body = Buffer.concat([
      filePart('f', 'a.txt', 'data'),
      fieldPart('a', '1'),
      fieldPart('b', '2'),
      closingBoundary,
    ]);
    expect((await rawUpload(s.port, body, { after: 'wait' })).status).toBe(201);
  });

  it.each([
    ['text/plain', 'UNSUPPORTED_MEDIA_TYPE'],
    ['application/x-www-form-urlencoded', 'UNSUPPORTED_MEDIA_TYPE'],
    ['multipart/form-data', 'MULTIPART_BOUNDARY_MISSING'],
    ['multipart/form-data; boundary=""', 'MULTIPART_BOUNDARY_MISSING'],
    [`multipart/form-data; boundary=${'b'.repeat(71)}`, 'MULTIPART_BOUNDARY_MISSING'],
    ['multipart/mixed; boundary=abc', 'UNSUPPORTED_MEDIA_TYPE'],
    ['multipart/form-dataX; boundary=abc', 'UNSUPPORTED_MEDIA_TYPE'],
  ])('answers 415 for Content-Type %j', async (contentType, code) => {
    const s = await start();
    const body = Buffer.concat([filePart('f', 'a.txt', 'data'), closingBoundary]);
    const result = await rawUpload(s.port, body, { contentType, after: 'wait' });
    expect(result.status).toBe(415);
    expect(JSON.parse(result.body)).toMatchObject({ error: { code } });
    expect(await listReceived(s.dir)).toEqual([]);
  });

  it('answers 400 NO_FILES for a form with fields only, or only an empty file input', async () => {
    const s = await start();
    for (const parts of [[fieldPart('a', '1')], [filePart('f', '', '')]]) {
      const result = await rawUpload(s.port, Buffer.concat([...parts, closingBoundary]), { after: 'wait' });
      expect(result.status).toBe(400);
      expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'NO_FILES' } });
    }
    expect(await listReceived(s.dir)).toEqual([]);
  });

  it('answers 400 for a body cut before the closing boundary and deletes the partial file', async () => {
    const s = await start();
    const body = filePart('f', 'partial.bin', randomBytes(300_000)).subarray(0, 200_000);
    const result = await rawUpload(s.port, body, { after: 'wait' });
    expect(result.status).toBe(400);
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'MULTIPART_TRUNCATED' } });
    expect(await waitForEmpty(s.dir)).toEqual([]);
    const failed = s.calls.filter((c) => c.status === 'failed');
    expect(failed).toHaveLength(1);
  });

  it('answers 400 for a malformed part header', async () => {
    const s = await start();
    const body = Buffer.concat([Buffer.from(`--${BOUNDARY}\r\nBad Header\r\n\r\nx\r\n`), closingBoundary]);
    const result = await rawUpload(s.port, body, { after: 'wait' });
    expect(result.status).toBe(400);
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'MULTIPART_MALFORMED' } });
  });

  it("answers 400 for a part header over busboy's 16 KiB cap", async () => {
    const s = await start();
    const hostile = `X-Filler: ${'a'.repeat(20 * 1024)}\r\n`;
    const body = Buffer.concat([filePart('f', 'a.txt', 'data', hostile), closingBoundary]);
    const result = await rawUpload(s.port, body, { after: 'wait' });
    expect(result.status).toBe(400);
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'MULTIPART_MALFORMED' } });
    expect(await listReceived(s.dir)).toEqual([]);
  });

  it.each(['end', 'destroy'] as const)(
    'cleans up when the client sends half the body then %ss the socket',
    async (after) => {
      const s = await start();
      const full = Buffer.concat([filePart('f', 'cut.bin', randomBytes(1_000_000)), closingBoundary]);
      const result = await rawUpload(s.port, full.subarray(0, 400_000), { contentLength: full.length, after });
      expect(result.status === null || result.status === 400).toBe(true);
      expect(await waitForEmpty(s.dir)).toEqual([]);
      await expect.poll(() => s.calls.filter((c) => c.status === 'failed').length).toBe(1);
    },
  );

  it.skipIf(!existsSync('/proc/self/fd'))(
    'leaves no file descriptor open on received files after failures [Linux /proc]',
    async () => {
      // Node closes a leaked FileHandle on GC with a warning, which would hide the leak from /proc.
      const gcClosed: string[] = [];
      const onWarning = (warning: Error): void => {
        if (/closing file descriptor/i.test(warning.message)) gcClosed.push(warning.message);
      };
      process.on('warning', onWarning);
      // The limit is above one chunk, so the file is open with bytes written when the limit trips.
      const s = await start({ limits: { maxFileSize: 100_000 } });
      const cut = Buffer.concat([filePart('f', 'cut.bin', randomBytes(90_000)), closingBoundary]);
      await rawUpload(s.port, cut.subarray(0, 80_000), { contentLength: cut.length, after: 'destroy' });
      const form = new FormData();
      form.append('big', new Blob([Buffer.alloc(1_000_000)]), 'big.bin');
      expect((await post(s.url, form)).status).toBe(413);
      await waitForEmpty(s.dir);
      const openInDir = async (): Promise<string[]> => {
        const fds = await readdir('/proc/self/fd');
        const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
        return targets.filter((target) => target.startsWith(s.dir));
      };
      try {
        await expect.poll(openInDir).toEqual([]);
        expect(gcClosed).toEqual([]);
      } finally {
        process.off('warning', onWarning);
      }
    },
  );

  it('frees a silent connection after the idle timeout and deletes the partial file', async () => {
    const s = await start({ idleTimeoutMs: 300 });
    const full = Buffer.concat([filePart('f', 'stalled.bin', randomBytes(500_000)), closingBoundary]);
    const startedAt = Date.now();
    const result = await rawUpload(s.port, full.subarray(0, 100_000), { contentLength: full.length, after: 'wait' });
    expect(Date.now() - startedAt).toBeLessThan(3_000);
    expect(result.status === null || result.status === 408).toBe(true);
    expect(await waitForEmpty(s.dir)).toEqual([]);
    expect(s.calls.find((c) => c.status === 'failed')?.errorCode).toBe('REQUEST_IDLE_TIMEOUT');
  });
});
