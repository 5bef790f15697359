import { beforeAll, describe, expect, it } from 'vitest';
import { listFiles, receiverForFile } from './support/fixtures';
import { call, createUpload, headOffset, rawRoundTrip, testToken } from './support/http-kit';

// RELIABILITY case 22: oversized headers, header floods and request-smuggling shapes, on raw sockets.
const running = receiverForFile();
let uploadId = '';

beforeAll(async () => {
  uploadId = await createUpload(running.target, 1000);
});

const host = () => `Host: 127.0.0.1:${running.port}`;
const auth = `Authorization: Bearer ${testToken}\r\nTus-Resumable: 1.0.0`;
const createHead = () =>
  `POST /files/ HTTP/1.1\r\n${host()}\r\n${auth}\r\nUpload-Length: 100\r\nContent-Type: application/offset+octet-stream`;
const patchHeadLines = () =>
  `PATCH /files/${uploadId} HTTP/1.1\r\n${host()}\r\n${auth}\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream`;

/** Sends `raw`, expects a 4xx and a closed connection, and checks that no file appeared or grew. */
async function expectRefused(raw: string, allowed: number[] = [400, 431]) {
  const before = await listFiles(running.dir);
  const { reply, closedByServer } = await rawRoundTrip(running.port, raw);
  expect(reply, 'no answer at all').toBeDefined();
  expect(allowed, `got ${reply?.status}`).toContain(reply!.status);
  expect(closedByServer, 'the connection must be closed').toBe(true);
  expect(await listFiles(running.dir)).toEqual(before);
  expect(await headOffset(running.target, uploadId)).toBe(0);
}

describe('oversized headers and header floods', () => {
  it('refuses one header over 16 KiB', async () => {
    await expectRefused(`${createHead()}\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\nContent-Length: 0\r\n\r\n`);
  });

  it('refuses a request line over 16 KiB', async () => {
    await expectRefused(`HEAD /files/${'a'.repeat(17 * 1024)} HTTP/1.1\r\n${host()}\r\n\r\n`, [400, 414, 431]);
  });

  it('refuses a flood of small headers that adds up past the limit', async () => {
    const flood = Array.from({ length: 4000 }, (_, i) => `X-F${i}: y`).join('\r\n');
    await expectRefused(`${createHead()}\r\n${flood}\r\nContent-Length: 0\r\n\r\n`);
  });

  it('does not create anything when a flood pushes the auth header out of what is parsed', async () => {
    // Node keeps the first 2000 headers; the token after them must not be honoured half-way.
    const flood = Array.from({ length: 2100 }, () => 'a: b').join('\r\n');
    const before = await listFiles(running.dir);
    const { reply } = await rawRoundTrip(
      running.port,
      `POST /files/ HTTP/1.1\r\n${host()}\r\n${flood}\r\n${auth}\r\nUpload-Length: 100\r\nContent-Length: 0\r\n\r\n`,
    );
    expect(reply?.status).toBeGreaterThanOrEqual(400);
    expect(reply?.status).toBeLessThan(500);
    expect(await listFiles(running.dir)).toEqual(before);
  });

  it('stays up and serves normally after all of that', async () => {
    expect((await call(running.target, 'GET', '/healthz')).status).toBe(200);
  });
});

describe('request-smuggling shapes', () => {
  // A second request hidden in the body: if the framing were misread, it would write to the upload.
  const smuggled = () => `${patchHeadLines()}\r\nContent-Length: 5\r\n\r\nEVIL!`;

  it('refuses Content-Length together with Transfer-Encoding', async () => {
    const hidden = smuggled();
    await expectRefused(
      `${createHead()}\r\nContent-Length: ${hidden.length + 5}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${hidden}`,
    );
  });

  it('refuses Transfer-Encoding together with Content-Length on a PATCH', async () => {
    await expectRefused(
      `${patchHeadLines()}\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
    );
  });

  it('refuses duplicate, differing Content-Length headers', async () => {
    await expectRefused(`${patchHeadLines()}\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\nabc${smuggled()}`);
  });

  it('refuses a Content-Length list', async () => {
    await expectRefused(`${patchHeadLines()}\r\nContent-Length: 3, 40\r\n\r\nabc`);
  });

  it('refuses obfuscated framing headers', async () => {
    await expectRefused(`${patchHeadLines()}\r\nContent-Length : 3\r\n\r\nabc`);
    await expectRefused(
      `${patchHeadLines()}\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
      [400, 501],
    );
    await expectRefused(`${patchHeadLines()}\r\nTransfer-Encoding: xchunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`, [400, 501]);
  });

  it('refuses a malformed chunked body part-way and keeps nothing of the bad chunk framing', async () => {
    const before = await listFiles(running.dir);
    const { reply } = await rawRoundTrip(
      running.port,
      `${patchHeadLines()}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`,
    );
    expect(reply?.status ?? 400).toBe(400);
    expect(await listFiles(running.dir)).toEqual(before);
    expect(await headOffset(running.target, uploadId)).toBe(0);
  });

  it('refuses a bare-LF request and an HTTP/0.9-style line', async () => {
    await expectRefused(`PATCH /files/${uploadId} HTTP/1.1\n${host()}\nContent-Length: 3\n\nabc`);
    // No version means no Host either: 421 from the Host check is as good as a parser 400.
    await expectRefused(`GET /files/\r\n\r\n`, [400, 421, 505]);
  });
});
