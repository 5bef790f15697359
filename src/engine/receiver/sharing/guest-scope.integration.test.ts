import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  appToken,
  createTusUpload,
  eventually,
  guestToken,
  idsIn,
  openSocket,
  patch,
  send,
  sharedReceiverForTest,
  tus,
} from '../../../../test/support/sharing';

describe('guest scope', () => {
  it('answers on the LAN address and its Host only while sharing is on', async () => {
    const shared = await sharedReceiverForTest();
    expect((await send(`${shared.lanUrl}/healthz`)).status).toBe(200);
    expect(shared.share.link).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/\?t=[\w-]{20,}$/);
    await shared.receiver.sharing.stop();
    // Loopback still answers, but no longer to the LAN Host name.
    const reply = await send(`${shared.url}/healthz`, { headers: { Host: new URL(shared.lanUrl).host } });
    expect(reply.status).toBe(421);
  });

  it('keeps the link token to joining, and guests away from /metrics and other routes', async () => {
    const shared = await sharedReceiverForTest();
    const guest = await guestToken(shared.lanUrl, shared.linkToken);
    for (const token of [guest, shared.linkToken]) {
      const metrics = await send(`${shared.lanUrl}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
      expect(metrics.status).toBe(403);
      expect(metrics.text).not.toContain('ferry_');
    }
    const linkCreates = await send(`${shared.lanUrl}/files/`, {
      method: 'POST',
      headers: tus(shared.linkToken, { 'Upload-Length': '1' }),
    });
    expect(linkCreates.status).toBe(403);
    const linkSocket = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${shared.lanUrl.replace('http', 'ws')}/ws`, ['ferry.v1', `token.${shared.linkToken}`], {
        headers: { Origin: shared.lanUrl },
      });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
    });
    expect(linkSocket).toBe(401);
    // The app's token keeps full rights.
    expect((await send(`${shared.url}/metrics`, { headers: { Authorization: `Bearer ${appToken}` } })).status).toBe(
      200,
    );
  });

  it('lets a guest HEAD, PATCH and DELETE only the uploads it created', async () => {
    const shared = await sharedReceiverForTest();
    const alice = await guestToken(shared.lanUrl, shared.linkToken);
    const bob = await guestToken(shared.lanUrl, shared.linkToken);
    const id = await createTusUpload(shared.lanUrl, alice, 10, 'alice.txt');
    expect((await send(`${shared.lanUrl}/files/${id}`, { method: 'HEAD', headers: tus(bob) })).status).toBe(404);
    expect((await patch(shared.lanUrl, bob, id, 0, Buffer.from('bob wrote'))).status).toBe(404);
    expect(
      (
        await send(`${shared.lanUrl}/files/${id}`, {
          method: 'POST',
          headers: tus(bob, { 'X-HTTP-Method-Override': 'DELETE' }),
        })
      ).status,
    ).toBe(404);
    expect((await send(`${shared.lanUrl}/files/${id}`, { method: 'DELETE', headers: tus(bob) })).status).toBe(404);
    // Nor can Bob fold Alice's upload into one of his own.
    const concat = await send(`${shared.lanUrl}/files/`, {
      method: 'POST',
      headers: tus(bob, { 'Upload-Concat': `final;/files/${id}` }),
    });
    expect(concat.status).toBe(404);
    // Nor reach one through an idempotency key, whose upload id comes from the key: keys are per device.
    const keyedBy = (token: string) =>
      send(`${shared.lanUrl}/files/`, {
        method: 'POST',
        headers: tus(token, {
          'Upload-Length': '10',
          'Upload-Metadata': `ferry-idempotency-key ${Buffer.from('k1').toString('base64')}`,
        }),
      });
    const alicesKeyed = await keyedBy(alice);
    const bobsKeyed = await keyedBy(bob);
    expect([alicesKeyed.status, bobsKeyed.status]).toEqual([201, 201]);
    expect(bobsKeyed.headers.location).not.toBe(alicesKeyed.headers.location);

    expect((await patch(shared.lanUrl, alice, id, 0, Buffer.from('0123456789'))).status).toBe(204);
    const head = await send(`${shared.lanUrl}/files/${id}`, { method: 'HEAD', headers: tus(alice) });
    expect(head.headers['upload-offset']).toBe('10');
    expect(await readFile(join(shared.dir, 'alice.txt'), 'utf8')).toBe('0123456789');
    // The app sees every upload.
    expect((await send(`${shared.url}/files/${id}`, { method: 'HEAD', headers: tus(appToken) })).status).toBe(200);
    const other = await createTusUpload(shared.lanUrl, bob, 4, 'bob.txt');
    expect((await send(`${shared.lanUrl}/files/${other}`, { method: 'DELETE', headers: tus(bob) })).status).toBe(204);
  });

  it('shows a guest only its own uploads on /ws, even when it subscribes to another id', async () => {
    const shared = await sharedReceiverForTest();
    const alice = await guestToken(shared.lanUrl, shared.linkToken);
    const bob = await guestToken(shared.lanUrl, shared.linkToken);
    const before = await createTusUpload(shared.lanUrl, alice, 8, 'secret-plan.txt');
    const bobSocket = await openSocket(shared.lanUrl, bob);
    const appSocket = await openSocket(shared.url, appToken);
    bobSocket.ws.send(JSON.stringify({ type: 'subscribe', uploadIds: [before] }));
    bobSocket.ws.send(JSON.stringify({ type: 'subscribe' }));
    const after = await createTusUpload(shared.lanUrl, alice, 8, 'second-secret.txt');
    await patch(shared.lanUrl, alice, before, 0, Buffer.alloc(8, 1));
    await patch(shared.lanUrl, alice, after, 0, Buffer.alloc(8, 2));
    const mine = await createTusUpload(shared.lanUrl, bob, 3, 'bob.txt');
    await patch(shared.lanUrl, bob, mine, 0, Buffer.from('bob'));
    await eventually(
      () =>
        bobSocket.messages.some(
          (message) => message.type === 'progress' && message.uploadId === mine && message.status === 'completed',
        ),
      5_000,
      "bob's own completion",
    );
    await eventually(() => idsIn(appSocket.messages).has(after), 5_000, 'the app to see everything');
    expect(idsIn(bobSocket.messages)).toEqual(new Set([mine]));
    expect(JSON.stringify(bobSocket.messages)).not.toContain('secret');
    bobSocket.ws.close();
    appSocket.ws.close();
  });

  it('attributes multipart uploads to the guest that sent them', async () => {
    const shared = await sharedReceiverForTest();
    const guest = await guestToken(shared.lanUrl, shared.linkToken);
    const socket = await openSocket(shared.lanUrl, guest);
    const form = new FormData();
    form.append('file', new Blob(['from a form']), 'form.txt');
    const response = await fetch(`${shared.lanUrl}/upload`, {
      method: 'POST',
      body: form,
      headers: { Authorization: `Bearer ${guest}` },
    });
    expect(response.status).toBe(201);
    await eventually(
      () =>
        socket.messages.some(
          (message) =>
            message.type === 'progress' && message.context.filename === 'form.txt' && message.status === 'completed',
        ),
      5_000,
      'the form upload on /ws',
    );
    socket.ws.close();
  });

  it('refuses expired and revoked tokens with 401', async () => {
    const shared = await sharedReceiverForTest();
    const first = await guestToken(shared.lanUrl, shared.linkToken);
    const single = await guestToken(shared.lanUrl, shared.linkToken);
    const guestInfo = (token: string) =>
      send(`${shared.lanUrl}/share/info`, { headers: { Authorization: `Bearer ${token}` } });
    expect((await guestInfo(first)).status).toBe(200);

    expect(shared.receiver.sharing.revokeGuest(shared.receiver.sharing.status().guests[1]!.id)).toBe(true);
    expect((await guestInfo(single)).status).toBe(401);
    expect((await guestInfo(first)).status).toBe(200);

    const renewed = shared.receiver.sharing.revoke();
    expect((await guestInfo(first)).status).toBe(401);
    expect((await guestInfo(shared.linkToken)).status).toBe(401);
    const newLink = new URL(renewed.link!).searchParams.get('t')!;
    expect(newLink).not.toBe(shared.linkToken);
    const fresh = await guestToken(shared.lanUrl, newLink);
    expect((await guestInfo(fresh)).status).toBe(200);

    await shared.receiver.sharing.stop();
    // Loopback is still up: the token is refused, not the connection.
    expect((await guestInfo(fresh).catch(() => undefined))?.status ?? 0).toBe(0);
    expect((await send(`${shared.url}/share/info`, { headers: { Authorization: `Bearer ${fresh}` } })).status).toBe(
      401,
    );
  });
});
