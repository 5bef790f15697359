import { randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { removeTempDirs, startReceiver } from './support/fixtures';
import { call, createUpload, openExchange, patch, sleep, testToken, waitFor } from './support/http-kit';

afterAll(removeTempDirs);

/** Every path under `dir` with its size: what a later look must find unchanged. */
async function tree(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const info = await stat(path).catch(() => undefined);
    found.push(`${path} ${entry.isDirectory() ? 'dir' : (info?.size ?? 'gone')}`);
  }
  return found.sort();
}

// RELIABILITY: once close() resolves the receiver is done with its folder, so the caller (an app
// quitting, a test removing the folder) may move or delete it; nothing may still be writing there.
it('leaves its folder alone once close() resolves, with a multipart body, creations and appends in flight', async () => {
  const { receiver, target, port, dir } = await startReceiver({ shutdownGraceMs: 1_000 });
  // Each append that leaves its upload unfinished rewrites its record after answering (the touch).
  const partial = await Promise.all(Array.from({ length: 20 }, () => createUpload(target, 1_000)));
  const boundary = 'quiet-boundary';
  const data = randomBytes(512 * 1024);
  const preamble = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const ending = `\r\n--${boundary}--\r\n`;
  const length = Buffer.byteLength(preamble) + data.length + Buffer.byteLength(ending);
  const slow = openExchange(
    port,
    `POST /upload HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${testToken}\r\n` +
      `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${length}\r\n\r\n`,
  );
  slow.send(preamble);
  const sending = slow.pace(data, 8 * 1024, 20);
  await waitFor(() => slow.sent() > 64 * 1024, 5_000, 'the multipart body to get going');
  // Creations keep arriving as shutdown begins.
  const creating = Array.from({ length: 40 }, (_, i) =>
    sleep(i * 5).then(() => call(target, 'POST', '/files/', { 'Upload-Length': '10' }).catch(() => undefined)),
  );
  const appending = partial.map((id) => patch(target, id, 0, Buffer.alloc(100, 7)).catch(() => undefined));
  await sleep(50);
  await receiver.close();
  const atClose = await tree(dir);
  slow.stop();
  await Promise.all([sending, ...creating, ...appending]);
  await sleep(500);
  expect(await tree(dir)).toEqual(atClose);
});
