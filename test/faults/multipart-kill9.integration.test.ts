import { randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, listFiles, removeTempDirs, tempDir } from './support/fixtures';
import { openExchange, sleep, testToken } from './support/http-kit';
import { startServe, stopServe, type ServeProcess } from './support/serve-process';

// A multipart body cut by SIGKILL must leave nothing in the receive folder that looks like a finished file.
const boundary = 'ferryKill9Boundary';
const fileBytes = 4 * 1024 * 1024;

let server: ServeProcess | undefined;

afterAll(async () => {
  if (server) await stopServe(server);
  await removeTempDirs();
});

const stagingOf = (dir: string) => join(dir, '.ferry', 'multipart');

async function stagedBytes(dir: string): Promise<number> {
  const names = await readdir(stagingOf(dir)).catch(() => [] as string[]);
  const sizes = await Promise.all(names.map(async (name) => (await stat(join(stagingOf(dir), name))).size));
  return sizes.reduce((sum, size) => sum + size, 0);
}

describe('receiver killed with SIGKILL mid-multipart', () => {
  it('leaves no truncated file in the receive folder, and the restart sweeps the staged body', async () => {
    const dir = await tempDir('mp-kill9');
    const port = await freePort();
    server = await startServe(dir, port);

    const partHead = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="video.mp4"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    );
    const body = Buffer.concat([partHead, randomBytes(fileBytes), Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const exchange = openExchange(
      port,
      `POST /upload HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${testToken}\r\n` +
        `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    exchange.send(body.subarray(0, 1024 * 1024));
    // Kill once a good part of the body is on disk.
    const deadline = Date.now() + 10_000;
    while ((await stagedBytes(dir)) < 512 * 1024 && Date.now() < deadline) await sleep(20);
    expect(await listFiles(dir, true)).toEqual([]);
    await stopServe(server, 'SIGKILL');
    exchange.socket.destroy();

    // What a sync client or the user sees after the crash: nothing under the final name.
    expect(await listFiles(dir, true)).toEqual([]);
    expect(await stagedBytes(dir)).toBeGreaterThan(0);

    server = await startServe(dir, port);
    expect(await listFiles(dir, true)).toEqual([]);
    expect(await readdir(stagingOf(dir))).toEqual([]);
  }, 60_000);
});
