import { randomBytes } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { removeTempDirs, startReceiver } from './support/fixtures';
import { createUpload, openExchange, patchHead, sleep, waitFor } from './support/http-kit';

afterAll(removeTempDirs);

// RELIABILITY: a request that reaches its upload's lock after shutdown began must get the 503 too,
// not a fresh lock and then a connection cut at the end of the grace period.
it('answers a PATCH that arrives during the shutdown grace period with 503 + Retry-After', async () => {
  const { receiver, target, port } = await startReceiver({ shutdownGraceMs: 3_000 });
  const data = randomBytes(256 * 1024);
  const earlyId = await createUpload(target, data.length, { filename: 'early.bin' });
  const lateId = await createUpload(target, data.length, { filename: 'late.bin' });

  // The early PATCH is in flight when shutdown begins; the late one has sent all of its head but the
  // blank line that ends it, so the receiver sees it only once the grace period has started.
  const early = openExchange(port, patchHead(port, earlyId, 0, data.length));
  const earlySending = early.pace(data, 4 * 1024, 20);
  await waitFor(() => early.sent() > 16 * 1024, 5_000, 'the early PATCH to get going');
  const lateHead = patchHead(port, lateId, 0, data.length);
  const late = openExchange(port, lateHead.slice(0, -2));
  await sleep(100);

  const closing = receiver.close();
  await sleep(200);
  late.send('\r\n');
  const lateSending = late.pace(data, 4 * 1024, 20);
  const startedAt = Date.now();
  const lateReply = await late.reply;
  const answeredMs = Date.now() - startedAt;
  early.stop();
  late.stop();
  await Promise.all([earlySending, lateSending, closing]);

  expect(lateReply?.status, late.received()).toBe(503);
  expect(lateReply?.headers['retry-after']).toBeTruthy();
  expect(lateReply?.headers['x-ferry-error']).toBe('SERVER_SHUTTING_DOWN');
  // At once, not at the end of the grace period.
  expect(answeredMs).toBeLessThan(1_500);
  expect((await early.reply)?.status).toBe(503);
});
