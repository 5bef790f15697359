import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { placedHash, receiverForFile, sha256 } from './support/fixtures';
import {
  call,
  createUpload,
  openExchange,
  patchHead,
  sleep,
  testToken,
  waitFor,
  type RawExchange,
} from './support/http-kit';

// RELIABILITY cases 6 and 24: slowloris headers, stalled bodies; legitimate uploads carry on.
const headersTimeoutMs = 1_000;
const idleTimeoutMs = 1_000;
const running = receiverForFile({ headersTimeoutMs, idleTimeoutMs });

/** Resolves with how long the server took to close the connection (Infinity if it never did in `withinMs`). */
async function closedAfter(exchange: RawExchange, startedAt: number, withinMs: number): Promise<number> {
  const closed = await Promise.race([exchange.closed.then(() => true), sleep(withinMs).then(() => false)]);
  return closed ? Date.now() - startedAt : Infinity;
}

describe('slow clients', () => {
  it('cuts clients that dribble header bytes after headersTimeout, while an upload on another connection goes on', async () => {
    const { port, target } = running;
    const source = randomBytes(300_000);
    const id = await createUpload(target, source.length, { filename: 'legit.bin' });
    const legit = openExchange(port, patchHead(port, id, 0, source.length));
    // About 3 s of body, never idle for long: it outlives the slowloris clients.
    const legitSending = legit.pace(source, 20_000, 200);

    const startedAt = Date.now();
    const lorises = Array.from({ length: 10 }, () => openExchange(port, ''));
    const text = `POST /files/ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${testToken}\r\nX-Pad: ${'a'.repeat(400)}`;
    // One byte every 100 ms: never idle long enough for the idle timeout, only the headers timeout can stop it.
    const dribbling = lorises.map((loris) => loris.pace(Buffer.from(text), 1, 100));
    const closedAt = await Promise.all(lorises.map((loris) => closedAfter(loris, startedAt, 10_000)));
    for (const loris of lorises) loris.stop();
    await Promise.all(dribbling);

    for (const ms of closedAt) {
      expect(ms).toBeGreaterThanOrEqual(headersTimeoutMs - 100);
      expect(ms).toBeLessThan(headersTimeoutMs + 1_500);
    }
    for (const loris of lorises) expect(loris.received()).not.toContain('201 Created');

    await legitSending;
    const reply = await legit.reply;
    expect(reply?.status, legit.received()).toBe(204);
    expect(await placedHash(running.dir, 'legit.bin')).toBe(sha256(source));
  });

  it('cuts a body that stalls after idleTimeout and frees its lock: the next HEAD is quick and not 423', async () => {
    const { port, target } = running;
    const id = await createUpload(target, 1_000_000);
    const stalled = openExchange(port, patchHead(port, id, 0, 1_000_000));
    stalled.send(randomBytes(10_000));
    const startedAt = Date.now();
    const ms = await closedAfter(stalled, startedAt, 10_000);
    expect(ms).toBeGreaterThanOrEqual(idleTimeoutMs - 100);
    expect(ms).toBeLessThan(idleTimeoutMs + 1_500);
    // The dead request has let go on its own: the hub shows it paused before anyone asked.
    await waitFor(() => running.receiver.hub.get(id)?.status === 'paused', 1_000, 'the upload to be paused');

    const headAt = Date.now();
    const head = await call(target, 'HEAD', `/files/${id}`);
    expect(head.status).toBe(200);
    expect(head.headers['upload-offset']).toBe('10000');
    expect(Date.now() - headAt).toBeLessThan(500);
  });

  it('cuts a connection that sends nothing at all', async () => {
    const silent = openExchange(running.port, '');
    const ms = await closedAfter(silent, Date.now(), 10_000);
    expect(ms).toBeLessThan(Math.max(headersTimeoutMs, idleTimeoutMs) + 1_500);
  });
});
