// Many small files in one request (`X-Ferry-Features: bulk-upload`): each file lands or fails on its
// own, checked by its sha256, under its own name and folder; a key sent again lands nothing twice.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BOUNDARY,
  bulkPart,
  closingBoundary,
  sendBulk,
  sha256Of,
  stagedPartsLeft,
  type BulkFile,
} from '../../../../test/support/multipart-test-server';
import { appToken, guestToken, sharedReceiverForTest } from '../../../../test/support/sharing';
import {
  listFiles,
  removeBase,
  startReceiver,
  token,
  type TestReceiver,
} from '../../../../test/support/tus-test-client';

function landedField(keys: string[]): Buffer {
  const value = JSON.stringify({ keys });
  return Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="landed"\r\n\r\n${value}\r\n`);
}

const bulkBody = (files: BulkFile[], extra: Buffer[] = []) =>
  Buffer.concat([...extra, ...files.map(bulkPart), closingBoundary]);

interface BulkAnswer {
  files: Array<{
    key?: string;
    status: string;
    name: string;
    path?: string;
    already?: boolean;
    error?: { code: string };
  }>;
  landed?: Array<{ key: string; status: string; path?: string }>;
}

async function postBulk(url: string, body: Buffer, bearer = token): Promise<{ status: number; body: BulkAnswer }> {
  const response = await sendBulk(url, body, bearer);
  return { status: response.status, body: (await response.json()) as BulkAnswer };
}

const fiveFiles = (): BulkFile[] =>
  ['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt'].map((name, i) => ({
    name,
    content: randomBytes(1000 + i * 3000),
    key: `job-${i}`,
  }));

let t: TestReceiver | undefined;
afterEach(async () => {
  await removeBase(t);
  t = undefined;
});

describe('bulk POST /upload', () => {
  it('gives files of one name distinct names, passing over a file already there, each with its own bytes', async () => {
    t = await startReceiver();
    await mkdir(path.join(t.dir, 'in'), { recursive: true });
    await writeFile(path.join(t.dir, 'in', 'same.txt'), 'there before');
    const files = ['first', 'second', 'third'].map((text, i) => ({
      name: 'same.txt',
      relativePath: 'in/same.txt',
      content: Buffer.from(text),
      key: `same-${i}`,
    }));
    const { status, body } = await postBulk(t.url, bulkBody(files));
    expect(status).toBe(201);
    const paths = body.files.map((file) => file.path);
    expect([...paths].sort()).toEqual(['in/same (1).txt', 'in/same (2).txt', 'in/same (3).txt']);
    for (const [i, file] of files.entries())
      expect(await readFile(path.join(t.dir, paths[i]!), 'utf8')).toBe(file.content.toString());
    expect(await readFile(path.join(t.dir, 'in', 'same.txt'), 'utf8')).toBe('there before');
    expect(await stagedPartsLeft(t.dir)).toEqual([]);
  });

  it('is advertised in OPTIONS as bulk-upload', async () => {
    t = await startReceiver();
    const response = await fetch(t.endpoint, { method: 'OPTIONS' });
    expect(
      response.headers
        .get('x-ferry-features')
        ?.split(',')
        .map((f) => f.trim()),
    ).toContain('bulk-upload');
  });

  it('lands each file on its own: one bad sha256 among five fails alone, the other four land (207)', async () => {
    t = await startReceiver();
    const files = fiveFiles();
    files[2]!.sha256 = sha256Of(Buffer.from('something else'));
    const { status, body } = await postBulk(t.url, bulkBody(files));
    expect(status).toBe(207);
    expect(body.files.map((f) => [f.key, f.status, f.error?.code])).toEqual([
      ['job-0', 'landed', undefined],
      ['job-1', 'landed', undefined],
      ['job-2', 'failed', 'SHA256_MISMATCH'],
      ['job-3', 'landed', undefined],
      ['job-4', 'landed', undefined],
    ]);
    expect(await listFiles(t.dir)).toEqual(['a.txt', 'b.txt', 'd.txt', 'e.txt']);
    for (const file of [files[0]!, files[1]!, files[3]!, files[4]!])
      expect(sha256Of(await readFile(path.join(t.dir, file.name)))).toBe(sha256Of(file.content));
    expect(await stagedPartsLeft(t.dir)).toEqual([]);
  });

  it('sent again under the same keys, lands nothing twice and says which were there already', async () => {
    t = await startReceiver();
    const files = fiveFiles();
    const declared = files[2]!;
    declared.sha256 = sha256Of(Buffer.from('something else'));
    expect((await postBulk(t.url, bulkBody(files))).status).toBe(207);
    delete declared.sha256;
    const { status, body } = await postBulk(t.url, bulkBody(files));
    expect(status).toBe(201);
    expect(body.files.map((f) => [f.name, f.already ?? false])).toEqual([
      ['a.txt', true],
      ['b.txt', true],
      ['c.txt', false],
      ['d.txt', true],
      ['e.txt', true],
    ]);
    expect(await listFiles(t.dir)).toEqual(['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt']);
  });

  it('shows each file on the progress hub: landed ones completed, the bad one failed', async () => {
    t = await startReceiver();
    const files = fiveFiles();
    files[1]!.sha256 = sha256Of(Buffer.from('nope'));
    await postBulk(t.url, bulkBody(files));
    const events = t.receiver.hub.snapshot().filter((e) => e.context.source === 'multipart');
    expect(events.map((e) => [e.context.filename, e.status]).sort()).toEqual([
      ['a.txt', 'completed'],
      ['b.txt', 'failed'],
      ['c.txt', 'completed'],
      ['d.txt', 'completed'],
      ['e.txt', 'completed'],
    ]);
  });

  it('tells the hub of a landed file once, already completed: one event each, not two', async () => {
    t = await startReceiver();
    const seen: Array<{ filename: unknown; status: string; offset: number; length: number | null }> = [];
    t.receiver.hub.subscribe((event) => {
      if (event.context.source === 'multipart')
        seen.push({
          filename: event.context.filename,
          status: event.status,
          offset: event.offset,
          length: event.length,
        });
    });
    const files = fiveFiles();
    expect((await postBulk(t.url, bulkBody(files))).status).toBe(201);
    expect(seen.sort((a, b) => String(a.filename).localeCompare(String(b.filename)))).toEqual(
      files.map((file) => ({
        filename: file.name,
        status: 'completed',
        offset: file.content.length,
        length: file.content.length,
      })),
    );
  });

  it('remembers the keys across a restart of the receiver', async () => {
    t = await startReceiver();
    const files = fiveFiles().slice(0, 2);
    expect((await postBulk(t.url, bulkBody(files))).status).toBe(201);
    await t.close();
    t = await startReceiver({}, t.base);
    const again = await postBulk(t.url, bulkBody(files));
    expect(again.body.files.every((f) => f.already)).toBe(true);
    expect(await listFiles(t.dir)).toEqual(['a.txt', 'b.txt']);
  });

  it('keeps each file in its relativePath folder, and the same name in two folders is two files', async () => {
    t = await startReceiver();
    const files: BulkFile[] = [
      { name: 'a.jpg', content: randomBytes(500), relativePath: 'photos/2024/a.jpg', key: 'k1' },
      { name: 'a.jpg', content: randomBytes(600), relativePath: 'photos/2025/a.jpg', key: 'k2' },
      { name: 'notes.txt', content: randomBytes(10), relativePath: '../../escape/notes.txt', key: 'k3' },
      { name: 'empty.bin', content: Buffer.alloc(0), key: 'k4' },
    ];
    const { status, body } = await postBulk(t.url, bulkBody(files));
    expect(status).toBe(201);
    expect(body.files.map((f) => f.path)).toEqual([
      'photos/2024/a.jpg',
      'photos/2025/a.jpg',
      'escape/notes.txt',
      'empty.bin',
    ]);
    expect(await listFiles(t.dir)).toEqual(['empty.bin', 'escape/notes.txt', 'photos/2024/a.jpg', 'photos/2025/a.jpg']);
    // Nothing outside the receive folder (its state folder aside).
    expect((await listFiles(t.base)).filter((f) => !f.startsWith('received/.ferry/'))).toEqual(
      ['empty.bin', 'escape/notes.txt', 'photos/2024/a.jpg', 'photos/2025/a.jpg'].map((f) => `received/${f}`),
    );
  });

  it('keeps the files a cut request delivered, and a landed query names them', async () => {
    t = await startReceiver();
    const files = fiveFiles();
    const body = bulkBody(files);
    // Cut inside the fourth file: the first three arrived whole.
    const cutAt = body.indexOf(files[3]!.content) + 100;
    const port = Number(new URL(t.url).port);
    await new Promise<void>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write(
          `POST /upload HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\nX-Ferry-Bulk: 1\r\n` +
            `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${body.length}\r\n\r\n`,
        );
        socket.write(body.subarray(0, cutAt), () => setTimeout(() => socket.destroy(), 200));
      });
      socket.on('close', () => resolve());
      socket.on('error', () => undefined);
    });
    const asked = await postBulk(t.url, bulkBody([], [landedField(files.map((f) => f.key!))]));
    expect(asked.status).toBe(200);
    expect(asked.body.landed?.map((l) => [l.key, l.status])).toEqual([
      ['job-0', 'landed'],
      ['job-1', 'landed'],
      ['job-2', 'landed'],
      ['job-3', 'missing'],
      ['job-4', 'missing'],
    ]);
    expect(await listFiles(t.dir)).toEqual(['a.txt', 'b.txt', 'c.txt']);
    expect(await stagedPartsLeft(t.dir)).toEqual([]);
  });

  it('a file deleted since it landed is landed again under its key', async () => {
    t = await startReceiver();
    const [file] = fiveFiles();
    await postBulk(t.url, bulkBody([file!]));
    const { rm } = await import('node:fs/promises');
    await rm(path.join(t.dir, 'a.txt'));
    const { body } = await postBulk(t.url, bulkBody([file!]));
    expect(body.files[0]).toMatchObject({ status: 'landed', path: 'a.txt' });
    expect(body.files[0]!.already).toBeUndefined();
  });

  it('a file over the size limit fails alone, and the request goes on to the next part at once', async () => {
    t = await startReceiver({ multipartLimits: { maxFileSize: 3000 } });
    const files = fiveFiles().slice(0, 3);
    const started = Date.now();
    const { status, body } = await postBulk(t.url, bulkBody(files));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(status).toBe(207);
    expect(body.files.map((f) => [f.name, f.status, f.error?.code])).toEqual([
      ['a.txt', 'landed', undefined],
      ['b.txt', 'failed', 'FILE_TOO_LARGE'],
      ['c.txt', 'failed', 'FILE_TOO_LARGE'],
    ]);
    expect(await listFiles(t.dir)).toEqual(['a.txt']);
    expect(await stagedPartsLeft(t.dir)).toEqual([]);
  });

  it('a part without a sha256 fails alone; the files around it land', async () => {
    t = await startReceiver();
    const [first, second] = fiveFiles();
    const bare = Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bare.txt"\r\n\r\nno declaration\r\n`,
    );
    const { status, body } = await postBulk(
      t.url,
      Buffer.concat([bulkPart(first!), bare, bulkPart(second!), closingBoundary]),
    );
    expect(status).toBe(207);
    expect(body.files.map((f) => [f.name, f.status, f.error?.code])).toEqual([
      ['a.txt', 'landed', undefined],
      ['bare.txt', 'failed', 'INVALID_BULK_PART'],
      ['b.txt', 'landed', undefined],
    ]);
  });

  it('is refused to guests, before anything is stored: no key of theirs can name the app’s files', async () => {
    const shared = await sharedReceiverForTest();
    const [file] = fiveFiles();
    expect((await postBulk(shared.url, bulkBody([file!]), appToken)).status).toBe(201);
    const guest = await guestToken(shared.lanUrl, shared.linkToken);
    const upload = await postBulk(shared.lanUrl, bulkBody([{ ...file!, name: 'guest.txt' }]), guest);
    expect(upload).toMatchObject({ status: 403, body: { error: { code: 'BULK_UNAVAILABLE' } } });
    const asked = await postBulk(shared.lanUrl, bulkBody([], [landedField([file!.key!])]), guest);
    expect(asked.status).toBe(403);
    expect(JSON.stringify(asked.body)).not.toContain('a.txt');
    expect(await listFiles(shared.dir)).toEqual(['a.txt']);
  });
});
