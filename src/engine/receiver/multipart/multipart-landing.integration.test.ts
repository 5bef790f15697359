import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BOUNDARY,
  closingBoundary,
  fieldPart,
  filePart,
  listReceived,
  rawUpload,
  testServerPerTest,
  waitForEmpty,
} from '../../../../test/support/multipart-test-server';
import { removeBase, startReceiver, token } from '../../../../test/support/tus-test-client';

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const stagingOf = (dir: string): string => path.join(dir, '.ferry', 'multipart');

const startServer = testServerPerTest();

/** Files in the receive folder itself, leaving the state folder out. */
async function visible(dir: string): Promise<string[]> {
  return (await listReceived(dir)).filter((file) => !file.startsWith('.ferry/'));
}

async function staged(dir: string): Promise<Array<{ name: string; size: number; ino: number }>> {
  const names = await readdir(stagingOf(dir)).catch(() => [] as string[]);
  return Promise.all(
    names.map(async (name) => {
      const info = await stat(path.join(stagingOf(dir), name));
      return { name, size: info.size, ino: info.ino };
    }),
  );
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A POST whose body is sent in two goes: the test looks at the disk in between. */
function pausedUpload(port: number, body: Buffer, pauseAt: number) {
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  const reply = new Promise<{ status: number | null; body: string }>((resolve) => {
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const finish = () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : null, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    };
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
  });
  socket.write(
    `POST /upload HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n` +
      `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${body.length}\r\n\r\n`,
  );
  socket.write(body.subarray(0, pauseAt));
  return {
    reply,
    resume: () => void socket.write(body.subarray(pauseAt)),
  };
}

describe('POST /upload streams into the state folder and lands by rename', () => {
  it('shows no file under its final name mid-body, then lands the staged file itself (same inode)', async () => {
    const s = await startServer();
    const content = randomBytes(600_000);
    const body = Buffer.concat([filePart('f', 'photo.jpg', content), closingBoundary]);
    const upload = pausedUpload(s.port, body, 300_000);

    // Mid-body: the bytes so far are on disk, in the state folder, and nothing is in the receive folder.
    const midway = await until(
      () => staged(s.dir),
      (files) => files.length === 1 && files[0]!.size > 200_000,
    );
    expect(midway).toHaveLength(1);
    expect(midway[0]!.size).toBeGreaterThan(200_000);
    expect(await visible(s.dir)).toEqual([]);

    upload.resume();
    const reply = await upload.reply;
    expect(reply.status).toBe(201);
    expect(JSON.parse(reply.body)).toEqual([
      { name: 'photo.jpg', size: content.length, sha256: sha256(content), path: 'photo.jpg' },
    ]);
    const landed = path.join(s.dir, 'photo.jpg');
    expect(sha256(await readFile(landed))).toBe(sha256(content));
    // A rename, not a copy: the file in the receive folder is the one that was written.
    expect((await stat(landed)).ino).toBe(midway[0]!.ino);
    expect(await staged(s.dir)).toEqual([]);
  });

  it('claims the final name while the body streams: a second file of the same name gets a suffix', async () => {
    const s = await startServer();
    const first = Buffer.concat([filePart('f', 'same.txt', randomBytes(300_000)), closingBoundary]);
    const slow = pausedUpload(s.port, first, 100_000);
    await until(
      () => staged(s.dir),
      (files) => files.length === 1,
    );
    const quick = await rawUpload(s.port, Buffer.concat([filePart('f', 'same.txt', 'quick'), closingBoundary]), {
      after: 'wait',
    });
    expect(quick.status).toBe(201);
    expect(JSON.parse(quick.body)[0].path).toBe('same (1).txt');
    slow.resume();
    const reply = await slow.reply;
    expect(JSON.parse(reply.body)[0].path).toBe('same.txt');
    expect(await visible(s.dir)).toEqual(['same (1).txt', 'same.txt']);
  });

  it('leaves no staged file behind when the body is cut', async () => {
    const s = await startServer();
    const full = Buffer.concat([filePart('f', 'cut.bin', randomBytes(1_000_000)), closingBoundary]);
    const result = await rawUpload(s.port, full.subarray(0, 400_000), { contentLength: full.length, after: 'destroy' });
    expect(result.status === null || result.status === 400).toBe(true);
    expect(await waitForEmpty(s.dir)).toEqual([]);
  });
});

describe('a declared sha256 (a `sha256` field before the file part)', () => {
  const content = Buffer.from('the bytes the sender meant to send\n');

  it('lands the file when it matches', async () => {
    const s = await startServer();
    const body = Buffer.concat([fieldPart('sha256', sha256(content).toUpperCase()), filePart('f', 'ok.txt', content)]);
    const result = await rawUpload(s.port, Buffer.concat([body, closingBoundary]), { after: 'wait' });
    expect(result.status).toBe(201);
    expect(await readFile(path.join(s.dir, 'ok.txt'))).toEqual(content);
  });

  it('answers 460 SHA256_MISMATCH when it does not, and nothing lands or stays behind', async () => {
    const s = await startServer();
    const other = Buffer.from('something else');
    const body = Buffer.concat([
      filePart('a', 'fine.txt', other),
      fieldPart('sha256', sha256(other)),
      filePart('b', 'wrong.txt', content),
      closingBoundary,
    ]);
    const result = await rawUpload(s.port, body, { after: 'wait' });
    expect(result.status).toBe(460);
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'SHA256_MISMATCH' } });
    // All or nothing: the undeclared file of the same request does not land either.
    expect(await waitForEmpty(s.dir)).toEqual([]);
    expect(s.calls.filter((c) => c.errorCode === 'SHA256_MISMATCH').length).toBeGreaterThan(0);
    expect(s.calls.some((c) => c.status === 'completed')).toBe(false);
  });

  it.each([
    ['is not 64 hex digits', () => [fieldPart('sha256', 'abc'), filePart('f', 'x.txt', 'x')]],
    ['follows the last file', () => [filePart('f', 'x.txt', 'x'), fieldPart('sha256', sha256('x'))]],
  ])('answers 400 INVALID_SHA256 when the field %s', async (_case, parts) => {
    const s = await startServer();
    const result = await rawUpload(s.port, Buffer.concat([...parts(), closingBoundary]), { after: 'wait' });
    expect(result.status).toBe(400);
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'INVALID_SHA256' } });
    expect(await waitForEmpty(s.dir)).toEqual([]);
  });
});

describe('startup', () => {
  it('sweeps the staged bodies an unclean stop left in the state folder', async () => {
    const first = await startReceiver();
    await first.close();
    await mkdir(stagingOf(first.dir), { recursive: true });
    await writeFile(path.join(stagingOf(first.dir), 'left-by-a-crash.part'), randomBytes(1000));
    const again = await startReceiver({}, first.base);
    try {
      expect(await readdir(stagingOf(again.dir))).toEqual([]);
      // And the receiver still takes multipart uploads into that folder.
      const form = new FormData();
      form.append('file', new Blob(['after']), 'after.txt');
      const response = await fetch(`${again.url}/upload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      expect(response.status).toBe(201);
      expect(await visible(again.dir)).toEqual(['after.txt']);
    } finally {
      await removeBase(again);
    }
  });
});
