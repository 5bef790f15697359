import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, placedHash, removeTempDirs, sha256, startReceiver, stateDirOf, tempDir } from './support/fixtures';
import {
  createUpload,
  headOffset,
  openExchange,
  patch,
  patchHead,
  sleep,
  waitFor,
  type Target,
} from './support/http-kit';
import { startServe, stopServe, type ServeProcess } from './support/serve-process';

// RELIABILITY case 14: SIGTERM while PATCHes are in flight. They flush and answer; the process exits in time.
const graceMs = 10_000; // the receiver's default shutdownGraceMs; the CLI does not change it

let server: ServeProcess | undefined;
const started: ServeProcess[] = [];
/** Every process a test starts is stopped at the end, not only the last one. */
async function serve(dir: string, port: number): Promise<ServeProcess> {
  const running = await startServe(dir, port);
  started.push(running);
  return running;
}

afterAll(async () => {
  for (const running of started) await stopServe(running);
  await removeTempDirs();
});

describe('SIGTERM during uploads', () => {
  it('answers in-flight PATCHes with 503 + Upload-Offset, flushes, exits in time, and resumes after restart', async () => {
    const dir = await tempDir('sigterm');
    const port = await freePort();
    const target: Target = { port };
    server = await serve(dir, port);
    const streaming = randomBytes(3 * 1024 * 1024);
    const stalled = randomBytes(512 * 1024);
    const streamingId = await createUpload(target, streaming.length, { filename: 'streaming.bin' });
    const stalledId = await createUpload(target, stalled.length, { filename: 'stalled.bin' });

    // One request keeps sending; the other sent a little and then went quiet (body incomplete).
    const flowing = openExchange(port, patchHead(port, streamingId, 0, streaming.length));
    const sending = flowing.pace(streaming, 16 * 1024, 10);
    const quiet = openExchange(port, patchHead(port, stalledId, 0, stalled.length));
    quiet.send(stalled.subarray(0, 100_000));
    await waitFor(() => flowing.sent() > 400_000, 10_000, 'the streaming PATCH to get going');

    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    const [flowingReply, quietReply] = await Promise.all([flowing.reply, quiet.reply]);
    flowing.stop();
    await sending;
    const exit = await server.exited;
    const tookMs = Date.now() - signalledAt;

    for (const [reply, exchange] of [
      [flowingReply, flowing],
      [quietReply, quiet],
    ] as const) {
      expect(reply?.status, exchange.received()).toBe(503);
      expect(reply?.headers['retry-after']).toBeTruthy();
      expect(reply?.headers['upload-offset']).toMatch(/^\d+$/);
    }
    expect(exit).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThan(graceMs);

    // The offsets it announced are exactly what reached the disk, and those bytes are right.
    const flowingOffset = Number(flowingReply!.headers['upload-offset']);
    const quietOffset = Number(quietReply!.headers['upload-offset']);
    expect(flowingOffset).toBeGreaterThan(0);
    expect(quietOffset).toBe(100_000);
    const stateDir = stateDirOf(dir);
    expect((await stat(join(stateDir, streamingId))).size).toBe(flowingOffset);
    expect(sha256(await readFile(join(stateDir, streamingId)))).toBe(sha256(streaming.subarray(0, flowingOffset)));

    server = await serve(dir, port);
    expect(await headOffset(target, streamingId)).toBe(flowingOffset);
    expect(await headOffset(target, stalledId)).toBe(quietOffset);
    expect((await patch(target, streamingId, flowingOffset, streaming.subarray(flowingOffset))).status).toBe(204);
    expect((await patch(target, stalledId, quietOffset, stalled.subarray(quietOffset))).status).toBe(204);
    expect(await placedHash(dir, 'streaming.bin')).toBe(sha256(streaming));
    expect(await placedHash(dir, 'stalled.bin')).toBe(sha256(stalled));
  }, 60_000);

  it('exits promptly on SIGTERM with idle keep-alive connections and no uploads', async () => {
    const dir = await tempDir('sigterm-idle');
    const port = await freePort();
    server = await serve(dir, port);
    // An idle keep-alive socket must not hold the process open.
    const idle = openExchange(port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    expect((await idle.reply)?.status).toBe(200);
    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(3_000);
    idle.socket.destroy();
  });

  it('gets the 503 to every fast sender: closing must not reset the answer away', async () => {
    // Fast senders keep bytes in flight; closing their sockets at once turns into RSTs that wipe the 503.
    const running = await startReceiver();
    const size = 64 * 1024 * 1024;
    const senders = [];
    for (let i = 0; i < 6; i++) {
      const id = await createUpload(running.target, size);
      const exchange = openExchange(running.port, patchHead(running.port, id, 0, size));
      // ~16 MB/s: fast enough to keep bytes in flight, slow enough that none finishes before the close.
      void exchange.pace(Buffer.alloc(size), 64 * 1024, 4);
      senders.push({ id, exchange });
    }
    await sleep(300);
    await running.receiver.close();
    for (const { id, exchange } of senders) {
      const reply = await exchange.reply;
      exchange.stop();
      exchange.socket.destroy();
      expect(reply?.status, `socket error ${exchange.error()}`).toBe(503);
      expect(Number(reply!.headers['upload-offset'])).toBe((await running.receiver.store.get(id))?.offset);
    }
  });
});
