import { request } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  appToken,
  createTusUpload,
  eventually,
  guestToken,
  send,
  sleep,
  sharedReceiverForTest,
  tus,
} from '../../../../test/support/sharing';
import type { SharingEvent } from './sharing';

function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** A PATCH from offset 0 that announces `length` bytes and stays open for the test to write them. */
function openPatch(base: string, token: string, id: string, length: number) {
  return request(`${base}/files/${id}`, {
    method: 'PATCH',
    headers: tus(token, {
      'Content-Type': 'application/offset+octet-stream',
      'Upload-Offset': '0',
      'Content-Length': String(length),
    }),
  });
}

describe('sharing turns itself off', () => {
  it('after the idle time: the LAN listener closes, share tokens stop working, loopback keeps working', async () => {
    const shared = await sharedReceiverForTest({ idleMs: 1_000 });
    const events: SharingEvent[] = [];
    shared.receiver.sharing.subscribe((event) => events.push(event));
    const guest = await guestToken(shared.lanUrl, shared.linkToken);
    const id = await createTusUpload(shared.lanUrl, guest, 4);
    const status = shared.receiver.sharing.status();
    expect(status.remainingMs).toBeGreaterThan(500);
    expect(status.remainingMs).toBeLessThanOrEqual(1_000);
    expect(await refused('127.0.0.2', shared.port)).toBe(false);

    await eventually(() => !shared.receiver.sharing.status().active, 3_000, 'sharing to turn off');
    expect(events).toContainEqual({ type: 'stopped', reason: 'idle' });
    expect(await refused('127.0.0.2', shared.port)).toBe(true);
    // The guest's token is dead everywhere, even on loopback.
    expect((await send(`${shared.url}/files/${id}`, { method: 'HEAD', headers: tus(guest) })).status).toBe(401);
    expect(
      (await send(`${shared.url}/share/info`, { headers: { Authorization: `Bearer ${shared.linkToken}` } })).status,
    ).toBe(401);
    // The app is unaffected.
    expect((await send(`${shared.url}/files/${id}`, { method: 'HEAD', headers: tus(appToken) })).status).toBe(200);
    expect(shared.receiver.sharing.status()).toMatchObject({ active: false, link: null, remainingMs: null });
  });

  it('does not count a guest request that is still running as idle time', async () => {
    const shared = await sharedReceiverForTest({ idleMs: 600 });
    const guest = await guestToken(shared.lanUrl, shared.linkToken);
    const id = await createTusUpload(shared.lanUrl, guest, 1_000);
    // A slow PATCH: a few bytes every 200 ms for about 1.6 s, far past the idle time.
    const req = openPatch(shared.lanUrl, guest, id, 1000);
    const answered = new Promise<number>((resolve) => req.once('response', (res) => resolve(res.statusCode ?? 0)));
    for (let i = 0; i < 8; i++) {
      req.write(Buffer.alloc(100, i));
      await sleep(200);
      expect(shared.receiver.sharing.status().active).toBe(true);
      expect(shared.receiver.sharing.status().offAt).toBeNull();
    }
    req.end(Buffer.alloc(200, 9));
    expect(await answered).toBe(204);
    await eventually(() => !shared.receiver.sharing.status().active, 3_000, 'sharing to turn off once idle');
  });

  it('can be turned off and on again, with a new link each time', async () => {
    const shared = await sharedReceiverForTest();
    const first = shared.linkToken;
    await shared.receiver.sharing.stop();
    expect(await refused('127.0.0.2', shared.port)).toBe(true);
    const again = await shared.receiver.sharing.start({ addresses: ['127.0.0.2'] });
    const second = new URL(again.link!).searchParams.get('t')!;
    expect(second).not.toBe(first);
    expect((await send(`${shared.lanUrl}/share/info`, { headers: { Authorization: `Bearer ${first}` } })).status).toBe(
      401,
    );
    expect((await send(`${shared.lanUrl}/share/info`, { headers: { Authorization: `Bearer ${second}` } })).status).toBe(
      200,
    );
  });

  it('lets a guest upload in flight on the LAN address flush and get an answer when the receiver shuts down', async () => {
    const shared = await sharedReceiverForTest();
    const guest = await guestToken(shared.lanUrl, shared.linkToken);
    const id = await createTusUpload(shared.lanUrl, guest, 1_000_000);
    const req = openPatch(shared.lanUrl, guest, id, 1_000_000);
    const answered = new Promise<{ status: number; offset: string | undefined }>((resolve) => {
      req.once('response', (res) =>
        resolve({ status: res.statusCode ?? 0, offset: res.headers['upload-offset'] as string | undefined }),
      );
      // A cut connection is an answer too: the wrong one.
      req.once('error', () => resolve({ status: 0, offset: undefined }));
    });
    req.write(Buffer.alloc(300_000, 7));
    // The data file, not the hub: /ws reports bytes only once they are acknowledged as stored.
    await eventually(
      async () => ((await shared.receiver.store.get(id))?.offset ?? 0) >= 300_000,
      5_000,
      'the first bytes written',
    );
    const closing = shared.receiver.close();
    const answer = await answered;
    await closing;
    expect(answer.status).toBe(503);
    expect(Number(answer.offset)).toBe(300_000);
  });
});
