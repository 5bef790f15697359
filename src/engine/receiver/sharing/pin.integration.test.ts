import { describe, expect, it } from 'vitest';
import { joinShare, sharedReceiverForTest } from '../../../../test/support/sharing';

const code = (reply: { json<T>(): T }) => reply.json<{ error: { code: string } }>().error.code;

describe('share PIN', () => {
  it('says a PIN is needed before anything else, without counting it as a try', async () => {
    const shared = await sharedReceiverForTest({ pin: '2468' });
    const info = await fetch(`${shared.lanUrl}/share/info`, {
      headers: { Authorization: `Bearer ${shared.linkToken}` },
    });
    expect(await info.json()).toMatchObject({ device: 'Test desk', pinRequired: true });
    for (let i = 0; i < 5; i++)
      expect(code(await joinShare(shared.lanUrl, shared.linkToken, { localAddress: '127.0.0.3' }))).toBe(
        'PIN_REQUIRED',
      );
    expect((await joinShare(shared.lanUrl, shared.linkToken, { pin: '2468', localAddress: '127.0.0.3' })).status).toBe(
      201,
    );
  });

  it('answers a wrong PIN with 401 and the fourth try from one address with 429; other addresses are unaffected', async () => {
    const shared = await sharedReceiverForTest({ pin: '2468' });
    for (let i = 0; i < 3; i++) {
      const wrong = await joinShare(shared.lanUrl, shared.linkToken, { pin: '1111', localAddress: '127.0.0.3' });
      expect(wrong.status).toBe(401);
      expect(code(wrong)).toBe('PIN_WRONG');
    }
    // Locked out: even the right PIN waits.
    const locked = await joinShare(shared.lanUrl, shared.linkToken, { pin: '2468', localAddress: '127.0.0.3' });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    const other = await joinShare(shared.lanUrl, shared.linkToken, { pin: '2468', localAddress: '127.0.0.4' });
    expect(other.status).toBe(201);
    expect(other.json<{ token: string }>().token).toMatch(/^[\w-]{20,}$/);
  });

  it('lets an address try again once the lock-out is over', async () => {
    const shared = await sharedReceiverForTest({ pin: '2468' }, { sharingDefaults: { pinLockMs: 300 } });
    for (let i = 0; i < 3; i++)
      await joinShare(shared.lanUrl, shared.linkToken, { pin: '0000', localAddress: '127.0.0.3' });
    expect((await joinShare(shared.lanUrl, shared.linkToken, { pin: '2468', localAddress: '127.0.0.3' })).status).toBe(
      429,
    );
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await joinShare(shared.lanUrl, shared.linkToken, { pin: '2468', localAddress: '127.0.0.3' })).status).toBe(
      201,
    );
  });
});
