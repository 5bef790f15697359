import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { placedHash, receiverForFile, sha256 } from './support/fixtures';
import { call, createUpload, headOffset, openExchange, patch, patchHead, waitFor } from './support/http-kit';

// RELIABILITY case 5: the connection dies mid-body (RST, FIN, plain close); the received prefix stays.
const running = receiverForFile();

const storedOffset = async (id: string) => (await running.receiver.store.get(id))?.offset ?? -1;

type Cut = 'reset' | 'fin' | 'destroy';

/** Sends `prefix` bytes of a declared full-length body, waits until the server has them, then cuts. */
async function cutAfter(id: string, offset: number, source: Buffer, prefix: number, how: Cut) {
  const { port } = running;
  const exchange = openExchange(port, patchHead(port, id, offset, source.length - offset));
  exchange.send(source.subarray(offset, offset + prefix));
  await waitFor(async () => (await storedOffset(id)) === offset + prefix, 5_000, 'the prefix to reach the data file');
  if (how === 'reset') exchange.socket.resetAndDestroy();
  else if (how === 'fin') exchange.socket.end();
  else exchange.socket.destroy();
  await exchange.closed;
  return exchange;
}

describe('a PATCH whose connection is cut mid-body', () => {
  for (const how of ['reset', 'fin', 'destroy'] as const) {
    it(`keeps the prefix after ${how} and lets the client resume`, async () => {
      const source = randomBytes(1024 * 1024);
      const name = `cut-${how}.bin`;
      const id = await createUpload(running.target, source.length, { filename: name });
      await cutAfter(id, 0, source, 300_000, how);
      // HEAD takes the lock, so it only answers once the dead request has let go.
      expect(await headOffset(running.target, id)).toBe(300_000);
      // A second cut on the resumed request, at a different point, must not lose the first prefix.
      await cutAfter(id, 300_000, source, 123_457, how);
      expect(await headOffset(running.target, id)).toBe(423_457);
      const rest = await patch(running.target, id, 423_457, source.subarray(423_457));
      expect(rest.status).toBe(204);
      expect(rest.headers['upload-offset']).toBe(String(source.length));
      expect(await placedHash(running.dir, name)).toBe(sha256(source));
    });
  }

  it('keeps the prefix of a creation-with-upload POST that is reset', async () => {
    const source = randomBytes(200_000);
    const { port } = running;
    const head = [
      'POST /files/ HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      'Authorization: Bearer secret',
      'Tus-Resumable: 1.0.0',
      `Upload-Length: ${source.length}`,
      'Upload-Metadata: filename Y3JlYXRlLWN1dC5iaW4=',
      'Content-Type: application/offset+octet-stream',
      `Content-Length: ${source.length}`,
    ].join('\r\n');
    const before = new Set((await running.receiver.store.list()).map((info) => info.id));
    const exchange = openExchange(port, `${head}\r\n\r\n`);
    exchange.send(source.subarray(0, 50_000));
    let id = '';
    await waitFor(
      async () => {
        id = (await running.receiver.store.list()).find((info) => !before.has(info.id))?.id ?? '';
        return id !== '' && (await storedOffset(id)) === 50_000;
      },
      5_000,
      'the created upload to hold the prefix',
    );
    exchange.socket.resetAndDestroy();
    expect(await headOffset(running.target, id)).toBe(50_000);
    expect((await patch(running.target, id, 50_000, source.subarray(50_000))).status).toBe(204);
    expect(await placedHash(running.dir, 'create-cut.bin')).toBe(sha256(source));
  });

  it('still serves other requests after a burst of resets', async () => {
    const id = await createUpload(running.target, 10_000_000);
    for (let i = 0; i < 20; i++) {
      const offset = await headOffset(running.target, id);
      const exchange = openExchange(running.port, patchHead(running.port, id, offset, 1000));
      exchange.send(randomBytes(i * 10));
      exchange.socket.resetAndDestroy();
      await exchange.closed;
    }
    expect((await call(running.target, 'GET', '/healthz')).status).toBe(200);
    // Whatever arrived is a contiguous prefix; the upload is still resumable from HEAD.
    const offset = await headOffset(running.target, id);
    expect(offset).toBe(await storedOffset(id));
  });
});
