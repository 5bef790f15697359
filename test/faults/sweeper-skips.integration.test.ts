import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { placedHash, receiverForFile, sha256 } from './support/fixtures';
import { call, createUpload, openExchange, patch, patchHead, sleep, waitFor } from './support/http-kit';

// RELIABILITY case 16: the expiry sweeper runs during an active PATCH and over completed uploads.
const expireMs = 300;
// A long interval keeps the automatic sweeper out of the way; the test calls sweep() itself.
const running = receiverForFile({ expireAfterMs: expireMs, sweepIntervalMs: 3_600_000 });

const farFuture = () => Date.now() + 10 * expireMs;

describe('expiry sweeper', () => {
  it('skips an upload whose PATCH is streaming, even when its last touch is long past', async () => {
    const source = randomBytes(600_000);
    const id = await createUpload(running.target, source.length, { filename: 'active.bin' });
    // The PATCH outlives expireMs in real time, and sweeps are also asked about a far future:
    // by the clock the upload is stale, so only the running request protects it.
    const exchange = openExchange(running.port, patchHead(running.port, id, 0, source.length));
    const sending = exchange.pace(source, 10_000, 20);
    await waitFor(
      async () => ((await running.receiver.store.get(id))?.offset ?? 0) > 100_000,
      5_000,
      'bytes to arrive',
    );

    for (let i = 0; i < 8; i++) {
      expect(await running.receiver.sweep(i % 2 ? Date.now() : farFuture())).not.toContain(id);
      await sleep(expireMs / 3);
    }
    await sending;
    const reply = await exchange.reply;
    expect(reply?.status, exchange.received()).toBe(204);
    expect(await placedHash(running.dir, 'active.bin')).toBe(sha256(source));
  });

  it('skips completed uploads: they keep answering HEAD and their files stay', async () => {
    const source = randomBytes(50_000);
    const id = await createUpload(running.target, source.length, { filename: 'done.bin' });
    expect((await patch(running.target, id, 0, source)).status).toBe(204);
    expect(await running.receiver.sweep(farFuture())).not.toContain(id);
    const head = await call(running.target, 'HEAD', `/files/${id}`);
    expect(head.status).toBe(200);
    expect(head.headers['upload-offset']).toBe(String(source.length));
    expect(await placedHash(running.dir, 'done.bin')).toBe(sha256(source));
  });

  it('does expire an idle incomplete upload (so the two skips above mean something)', async () => {
    const id = await createUpload(running.target, 1000);
    expect((await patch(running.target, id, 0, randomBytes(10))).status).toBe(204);
    expect(await running.receiver.sweep(farFuture())).toContain(id);
    expect((await call(running.target, 'HEAD', `/files/${id}`)).status).toBe(410);
  });

  it('never expires an upload between two chunks of a client that is still working', async () => {
    // Each PATCH refreshes the touch time, so a client sending every expireMs/2 stays alive.
    const source = randomBytes(40_000);
    const id = await createUpload(running.target, source.length, { filename: 'chunked.bin' });
    for (let offset = 0; offset < source.length; offset += 10_000) {
      expect((await patch(running.target, id, offset, source.subarray(offset, offset + 10_000))).status).toBe(204);
      expect(await running.receiver.sweep(Date.now() + expireMs / 2)).not.toContain(id);
      await sleep(expireMs / 2);
    }
    expect(await placedHash(running.dir, 'chunked.bin')).toBe(sha256(source));
  });
});
