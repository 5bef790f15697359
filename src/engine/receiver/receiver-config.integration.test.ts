import { afterEach, describe, expect, it } from 'vitest';
import { receiverDefaults, resolveReceiverConfig } from './receiver-config';
import { removeBase, send, startReceiver, type TestReceiver } from '../../../test/support/tus-test-client';

let t: TestReceiver | undefined;
afterEach(async () => {
  await removeBase(t);
  t = undefined;
});

describe('receiver options given as undefined', () => {
  it('keep their defaults: an unset maxSize is the default limit, not "no limit"', async () => {
    t = await startReceiver({
      maxSize: undefined,
      expireAfterMs: undefined,
      idleTimeoutMs: undefined,
      host: undefined,
    });
    const options = await send(t.endpoint, 'OPTIONS');
    expect(options.headers['tus-max-size']).toBe(String(receiverDefaults.maxSize));
    const tooBig = await send(t.endpoint, 'POST', { 'Upload-Length': String(receiverDefaults.maxSize + 1) });
    expect(tooBig.status).toBe(413);
    const created = await send(t.endpoint, 'POST', { 'Upload-Length': '10' });
    expect(Date.parse(created.headers['upload-expires'] ?? '')).toBeGreaterThan(
      Date.now() + receiverDefaults.expireAfterMs - 60_000,
    );
  });

  it('drops undefined keys and keeps given ones', () => {
    expect(resolveReceiverConfig({ dir: 'x', maxSize: undefined, lockTimeoutMs: undefined } as never)).toMatchObject({
      maxSize: receiverDefaults.maxSize,
      lockTimeoutMs: receiverDefaults.lockTimeoutMs,
      dir: 'x',
    });
    expect(resolveReceiverConfig({ dir: 'x', maxSize: 5 }).maxSize).toBe(5);
  });
});
