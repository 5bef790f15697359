import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { receiverForFile, settledLeftovers, stateDirOf } from './support/fixtures';
import {
  call,
  createUpload,
  headOffset,
  openExchange,
  patch,
  patchHead,
  sleep,
  testToken,
  waitFor,
} from './support/http-kit';

// "Nothing lost" includes file descriptors and temp files returning to baseline after aborted uploads.
// The receiver runs in this process, so /proc/self/fd is the server's descriptor table.
const running = receiverForFile({ idleTimeoutMs: 2_000 });

const openFds = () => readdirSync('/proc/self/fd').length;
const storedOffset = async (id: string) => (await running.receiver.store.get(id))?.offset ?? -1;

/** One round of every way an upload can be abandoned or refused mid-flight. */
async function abuseRound(round: number): Promise<void> {
  const { port, target } = running;
  const id = await createUpload(target, 1_000_000);
  const offsetNow = () => headOffset(target, id);

  // Reset, FIN and plain destroy after some bytes.
  for (const cut of ['reset', 'fin', 'destroy'] as const) {
    const from = await offsetNow();
    const exchange = openExchange(port, patchHead(port, id, from, 1_000_000 - from));
    exchange.send(randomBytes(5_000));
    await waitFor(async () => (await storedOffset(id)) >= from + 5_000, 5_000, 'bytes to land');
    if (cut === 'reset') exchange.socket.resetAndDestroy();
    else if (cut === 'fin') exchange.socket.end();
    else exchange.socket.destroy();
    await exchange.closed;
  }
  // Reset before a single body byte.
  const early = openExchange(port, patchHead(port, id, await offsetNow(), 100));
  early.socket.resetAndDestroy();
  // Wrong offset with a body (409), a body that would pass the length (413), a bad checksum (460).
  const from = await offsetNow();
  expect((await patch(target, id, from + 1, randomBytes(1_000))).status).toBe(409);
  expect((await patch(target, id, from, randomBytes(1_000_001 - from))).status).toBe(413);
  const digest = createHash('sha1').update('something else').digest('base64');
  expect((await patch(target, id, from, randomBytes(2_000), { 'Upload-Checksum': `sha1 ${digest}` })).status).toBe(460);
  // A checksummed chunk cut mid-body: its pending marker must go too.
  const checked = openExchange(port, patchHead(port, id, from, 4_000, { 'Upload-Checksum': `sha1 ${digest}` }));
  checked.send(randomBytes(1_000));
  await sleep(30);
  checked.socket.resetAndDestroy();
  // A writer pushed aside by another request (400 ERR_UPLOAD_INTERRUPTED).
  const holder = openExchange(port, patchHead(port, id, await offsetNow(), 10_000));
  holder.send(randomBytes(1_000));
  await waitFor(async () => running.receiver.hub.get(id)?.status === 'running', 5_000, 'the holder to run');
  await offsetNow();
  await holder.reply;
  holder.socket.destroy();
  // Unauthorized and foreign-Host uploads with bodies, a creation-with-upload cut short, and a multipart cut short.
  await call(
    { port, token: 'wrong' },
    'PATCH',
    `/files/${id}`,
    { 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0' },
    randomBytes(50_000),
  );
  const post = openExchange(
    port,
    `POST /files/ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${testToken}\r\nTus-Resumable: 1.0.0\r\nUpload-Length: 9000\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: 9000\r\n\r\n`,
  );
  post.send(randomBytes(3_000));
  await sleep(30);
  post.socket.resetAndDestroy();
  const boundary = `b${round}`;
  const form = openExchange(
    port,
    `POST /upload HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${testToken}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 100000\r\n\r\n`,
  );
  form.send(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut-${round}.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  form.send(randomBytes(20_000));
  await sleep(30);
  form.socket.resetAndDestroy();
  // Finally the upload is deleted while nobody holds it.
  expect((await call(target, 'DELETE', `/files/${id}`)).status).toBe(204);
}

describe('resources after a battery of aborted uploads', () => {
  it('returns file descriptors to baseline and leaves no temp files', async () => {
    // Warm up lazily opened handles (fs, crypto, the multipart parser) so they do not count as leaks.
    await abuseRound(-1);
    await sleep(500);
    const baseline = openFds();
    for (let round = 0; round < 8; round++) await abuseRound(round);

    // Closing connections linger briefly by design; give them a moment, then compare.
    const tolerance = 3;
    await waitFor(
      () => openFds() <= baseline + tolerance,
      10_000,
      `fds to return to ~${baseline} (now ${openFds()})`,
    ).catch(() => undefined);
    expect(openFds()).toBeLessThanOrEqual(baseline + tolerance);
    expect(await settledLeftovers(stateDirOf(running.dir))).toEqual([]);
    // Partial multipart files are deleted: nothing named cut-*.bin remains in the receive folder.
    expect(readdirSync(running.dir).filter((name) => name.startsWith('cut-'))).toEqual([]);
    expect((await call(running.target, 'GET', '/healthz')).status).toBe(200);
  });
});
