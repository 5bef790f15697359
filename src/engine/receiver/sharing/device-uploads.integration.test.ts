// A phone keeps its uploads from one share link to the next (and across a restart of the receiver), by
// the device secret its page joins with; no other device, and no guest without it, can reach them.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createReceiver, type Receiver } from '../server';
import {
  appToken,
  createTusUpload,
  eventually,
  guestToken,
  idsIn,
  joinShare,
  lanAddress,
  newDeviceSecret,
  openSocket,
  patch,
  send,
  sharedReceiverForTest,
  tus,
} from '../../../../test/support/sharing';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Sharing off and on again: a new link, every old token dead. Returns the new link token. */
async function reshare(receiver: Receiver): Promise<string> {
  await receiver.sharing.stop();
  const status = await receiver.sharing.start({ addresses: [lanAddress] });
  return new URL(status.link!).searchParams.get('t')!;
}

const head = (base: string, token: string, id: string) =>
  send(`${base}/files/${id}`, { method: 'HEAD', headers: tus(token) });
const remove = (base: string, token: string, id: string) =>
  send(`${base}/files/${id}`, { method: 'DELETE', headers: tus(token) });

describe("a device's uploads under a later share link", () => {
  it('resume at the offset for the same device secret, and stay out of reach of any other', async () => {
    const shared = await sharedReceiverForTest();
    const phone = newDeviceSecret();
    const data = Buffer.alloc(1000, 7);
    const before = await guestToken(shared.lanUrl, shared.linkToken, { device: phone });
    const id = await createTusUpload(shared.lanUrl, before, data.length, 'video.mp4');
    expect((await patch(shared.lanUrl, before, id, 0, data.subarray(0, 400))).status).toBe(204);

    const link = await reshare(shared.receiver);
    expect((await head(shared.lanUrl, before, id)).status).toBe(401);

    // Another phone, and a guest that sent no device secret, see nothing there.
    for (const device of [newDeviceSecret(), undefined]) {
      const stranger = await guestToken(shared.lanUrl, link, { device });
      expect((await head(shared.lanUrl, stranger, id)).status).toBe(404);
      expect((await patch(shared.lanUrl, stranger, id, 400, data.subarray(400))).status).toBe(404);
      expect((await remove(shared.lanUrl, stranger, id)).status).toBe(404);
      const socket = await openSocket(shared.lanUrl, stranger);
      await eventually(() => socket.messages.some((message) => message.type === 'snapshot'), 5_000, 'a snapshot');
      expect(idsIn(socket.messages).has(id)).toBe(false);
      socket.ws.close();
    }

    const after = await guestToken(shared.lanUrl, link, { device: phone });
    // Its /ws lists the unfinished upload, so the page can ask for the file again.
    const socket = await openSocket(shared.lanUrl, after);
    await eventually(() => idsIn(socket.messages).has(id), 5_000, 'the earlier upload on /ws');
    const resumed = await head(shared.lanUrl, after, id);
    expect([resumed.status, resumed.headers['upload-offset']]).toEqual([200, '400']);
    expect((await patch(shared.lanUrl, after, id, 400, data.subarray(400))).status).toBe(204);
    expect(await readFile(join(shared.dir, 'video.mp4'))).toEqual(data);
    expect(await shared.receiver.store.list()).toHaveLength(1);
    socket.ws.close();
  });

  it('resume after the receiver restarts, and may be cancelled by that device', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-device-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const open = async () => {
      const receiver = createReceiver({ dir, token: appToken, logger: false, deviceName: 'Test desk' });
      const { port } = await receiver.listen();
      const status = await receiver.sharing.start({ addresses: [lanAddress] });
      const link = new URL(status.link!);
      return { receiver, lanUrl: `http://${lanAddress}:${port}`, linkToken: link.searchParams.get('t')! };
    };
    const phone = newDeviceSecret();
    const first = await open();
    const token = await guestToken(first.lanUrl, first.linkToken, { device: phone });
    const id = await createTusUpload(first.lanUrl, token, 10, 'notes.txt');
    expect((await patch(first.lanUrl, token, id, 0, Buffer.from('01234'))).status).toBe(204);
    await first.receiver.close();

    const second = await open();
    cleanups.unshift(() => second.receiver.close());
    const again = await guestToken(second.lanUrl, second.linkToken, { device: phone });
    expect((await head(second.lanUrl, again, id)).headers['upload-offset']).toBe('5');
    const other = await guestToken(second.lanUrl, second.linkToken, { device: newDeviceSecret() });
    expect((await remove(second.lanUrl, other, id)).status).toBe(404);
    expect((await remove(second.lanUrl, again, id)).status).toBe(204);
  });

  it('wait for this share to accept the device when it asks for that', async () => {
    const shared = await sharedReceiverForTest();
    const phone = newDeviceSecret();
    const before = await guestToken(shared.lanUrl, shared.linkToken, { device: phone });
    const id = await createTusUpload(shared.lanUrl, before, 10, 'later.txt');
    await shared.receiver.sharing.stop();
    const status = await shared.receiver.sharing.start({ addresses: [lanAddress], requireAccept: true });
    const after = await guestToken(shared.lanUrl, new URL(status.link!).searchParams.get('t')!, { device: phone });
    expect((await head(shared.lanUrl, after, id)).status).toBe(403);
    const asked = send(`${shared.lanUrl}/share/ask`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${after}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ files: { count: 1, totalBytes: 10, names: ['later.txt'] } }),
    });
    await eventually(() => shared.receiver.sharing.pending().length === 1, 5_000, 'the prompt');
    shared.receiver.sharing.decide(shared.receiver.sharing.pending()[0]!.id, true);
    expect((await asked).json()).toEqual({ state: 'accepted' });
    expect((await head(shared.lanUrl, after, id)).headers['upload-offset']).toBe('0');
  });

  it('are stamped by the receiver only: a guest can neither set the stamp nor join with a weak secret', async () => {
    const shared = await sharedReceiverForTest();
    const guest = await guestToken(shared.lanUrl, shared.linkToken, { device: newDeviceSecret() });
    const forged = await send(`${shared.lanUrl}/files/`, {
      method: 'POST',
      headers: tus(guest, {
        'Upload-Length': '4',
        'Upload-Metadata': `ferry-guest-owner ${Buffer.from('device.someone-else').toString('base64')}`,
      }),
    });
    expect(forged.status).toBe(400);
    for (const device of ['short', 'x'.repeat(200), 'has spaces and more than twenty-two chars'])
      expect((await joinShare(shared.lanUrl, shared.linkToken, { device })).status).toBe(400);
    expect(shared.receiver.sharing.status().guests).toHaveLength(1);
  });
});

describe('keyed creation by guests', () => {
  const keyedPost = (base: string, token: string, key: string, length: number, body?: Buffer) =>
    send(`${base}/files/`, {
      method: 'POST',
      headers: tus(token, {
        'Upload-Length': String(length),
        'Upload-Metadata': `filename ${Buffer.from('photo.jpg').toString('base64')},ferry-idempotency-key ${Buffer.from(key).toString('base64')}`,
        ...(body ? { 'Content-Type': 'application/offset+octet-stream', 'Content-Length': String(body.length) } : {}),
      }),
      body,
    });

  it("gets a repeat its own upload back, never another device's, in this share and the next", async () => {
    const shared = await sharedReceiverForTest();
    const phone = newDeviceSecret();
    const alice = await guestToken(shared.lanUrl, shared.linkToken, { device: phone });
    const bob = await guestToken(shared.lanUrl, shared.linkToken, { device: newDeviceSecret() });
    const first = await keyedPost(shared.lanUrl, alice, 'job-1', 100);
    expect(first.status).toBe(201);
    const aliceId = String(first.headers.location).split('/').pop()!;
    expect((await patch(shared.lanUrl, alice, aliceId, 0, Buffer.alloc(30, 1))).status).toBe(204);

    const repeat = await keyedPost(shared.lanUrl, alice, 'job-1', 100);
    expect([repeat.status, repeat.headers.location, repeat.headers['upload-offset']]).toEqual([
      201,
      first.headers.location,
      '30',
    ]);
    // The same key from another device, or from the app, is another upload.
    const bobSocket = await openSocket(shared.lanUrl, bob);
    const bobs = await keyedPost(shared.lanUrl, bob, 'job-1', 100);
    const apps = await keyedPost(shared.url, appToken, 'job-1', 100);
    expect(bobs.status).toBe(201);
    expect(new Set([first.headers.location, bobs.headers.location, apps.headers.location].map(String)).size).toBe(3);
    const bobsId = String(bobs.headers.location).split('/').pop()!;
    // A keyed upload is the guest's from its creation: counted, and on its /ws before it touches it again.
    expect(shared.receiver.sharing.status().guests.map((guest) => guest.uploads)).toEqual([1, 1]);
    await eventually(() => idsIn(bobSocket.messages).has(bobsId), 5_000, "bob's keyed upload on /ws");
    bobSocket.ws.close();
    expect((await head(shared.lanUrl, bob, bobsId)).headers['upload-offset']).toBe('0');
    expect((await head(shared.lanUrl, bob, aliceId)).status).toBe(404);

    // Under a new link the same device's key still finds its upload.
    const link = await reshare(shared.receiver);
    const later = await guestToken(shared.lanUrl, link, { device: phone });
    const socket = await openSocket(shared.lanUrl, later);
    const again = await keyedPost(shared.lanUrl, later, 'job-1', 100);
    expect([again.headers.location, again.headers['upload-offset']]).toEqual([first.headers.location, '30']);
    expect((await patch(shared.lanUrl, later, aliceId, 30, Buffer.alloc(70, 2))).status).toBe(204);
    await eventually(() => idsIn(socket.messages).has(aliceId), 5_000, 'the keyed upload on /ws');
    socket.ws.close();
    expect(await readFile(join(shared.dir, 'photo.jpg'))).toHaveLength(100);
  });

  it('makes one upload of concurrent repeats from one guest', async () => {
    const shared = await sharedReceiverForTest();
    const guest = await guestToken(shared.lanUrl, shared.linkToken, { device: newDeviceSecret() });
    // Each guest request gets a context of its own: the creations in flight are tracked per receiver.
    const replies = await Promise.all(Array.from({ length: 16 }, () => keyedPost(shared.lanUrl, guest, 'burst', 5000)));
    expect(replies.map((reply) => reply.status)).toEqual(Array(16).fill(201));
    expect(new Set(replies.map((reply) => reply.headers.location)).size).toBe(1);
    expect(await shared.receiver.store.list()).toHaveLength(1);
  });

  it('scopes keys of a guest without a device secret to that guest', async () => {
    const shared = await sharedReceiverForTest();
    const one = await guestToken(shared.lanUrl, shared.linkToken);
    const two = await guestToken(shared.lanUrl, shared.linkToken);
    const [a, b, aAgain] = [
      await keyedPost(shared.lanUrl, one, 'same', 10),
      await keyedPost(shared.lanUrl, two, 'same', 10),
      await keyedPost(shared.lanUrl, one, 'same', 10),
    ];
    expect(a.headers.location).not.toBe(b.headers.location);
    expect(aAgain.headers.location).toBe(a.headers.location);
    expect((await keyedPost(shared.lanUrl, one, 'bad key with spaces', 10)).status).toBe(400);
  });
});

describe('a device disconnected from the share', () => {
  it('cannot join the same link again from the same browser; a new link lets it back', async () => {
    const shared = await sharedReceiverForTest();
    const phone = newDeviceSecret();
    const token = await guestToken(shared.lanUrl, shared.linkToken, { device: phone });
    const [guest] = shared.receiver.sharing.status().guests;
    expect(shared.receiver.sharing.revokeGuest(guest!.id)).toBe(true);
    expect((await send(`${shared.lanUrl}/share/info`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(
      401,
    );

    const again = await joinShare(shared.lanUrl, shared.linkToken, { device: phone });
    expect(again.status).toBe(403);
    expect(again.headers['x-ferry-error']).toBe('DEVICE_DISCONNECTED');
    expect(again.json<{ error: { message: string } }>().error.message).toMatch(/disconnected/i);
    expect(shared.receiver.sharing.status().guests).toEqual([]);
    // Other devices still join the same link.
    expect((await joinShare(shared.lanUrl, shared.linkToken, { device: newDeviceSecret() })).status).toBe(201);

    // A new link is a fresh start for every device.
    const link = new URL(shared.receiver.sharing.revoke().link!).searchParams.get('t')!;
    expect((await joinShare(shared.lanUrl, link, { device: phone })).status).toBe(201);
  });
});
