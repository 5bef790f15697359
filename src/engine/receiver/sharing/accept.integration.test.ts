import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createTusUpload, guestToken, send, sharedReceiverForTest, tus } from '../../../../test/support/sharing';
import type { GuestRequest } from './accept-gate';

const files = { count: 2, totalBytes: 3_000_000, names: ['IMG_0001.HEIC', 'clip\u202e4pm.mov'] };
function ask(base: string, token: string) {
  return send(`${base}/share/ask`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ files }),
  });
}
const visibleFiles = async (dir: string) => (await readdir(dir)).filter((name) => !name.startsWith('.'));

describe('accept prompt', () => {
  it('holds a new device until someone accepts; then its uploads start', async () => {
    const shared = await sharedReceiverForTest({ requireAccept: true });
    const requests: GuestRequest[] = [];
    shared.receiver.sharing.subscribe((event) => event.type === 'request' && requests.push(event.request));
    const guest = await guestToken(shared.lanUrl, shared.linkToken);
    const early = await send(`${shared.lanUrl}/files/`, {
      method: 'POST',
      headers: tus(guest, { 'Upload-Length': '5' }),
    });
    expect(early.status).toBe(403);
    expect(early.headers['x-ferry-error']).toBe('GUEST_NOT_APPROVED');

    const answer = ask(shared.lanUrl, guest);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(requests).toHaveLength(1);
    const [request] = shared.receiver.sharing.pending();
    expect(request).toMatchObject({
      address: '127.0.0.1',
      deviceLabel: 'Android · Chrome',
      files: { count: 2, totalBytes: 3_000_000, names: ['IMG_0001.HEIC', 'clip4pm.mov'] },
    });
    expect(request!.userAgent).toContain('Android');
    expect(shared.receiver.sharing.decide(request!.id, true)).toBe(true);
    expect((await answer).json()).toEqual({ state: 'accepted' });
    expect(await createTusUpload(shared.lanUrl, guest, 5)).toMatch(/\w/);
    // Approved once per share: later batches do not ask again.
    expect((await ask(shared.lanUrl, guest)).json()).toEqual({ state: 'accepted' });
    expect(shared.receiver.sharing.status().guests[0]).toMatchObject({ approved: true, uploads: 1 });
  });

  it('declines: the page is told and no byte is stored', async () => {
    const shared = await sharedReceiverForTest({ requireAccept: true });
    const guest = await guestToken(shared.lanUrl, shared.linkToken);
    const answer = ask(shared.lanUrl, guest);
    await new Promise((resolve) => setTimeout(resolve, 100));
    shared.receiver.sharing.decide(shared.receiver.sharing.pending()[0]!.id, false);
    expect((await answer).json()).toEqual({ state: 'declined' });
    const form = new FormData();
    form.append('file', new Blob(['nope']), 'nope.txt');
    const multipart = await fetch(`${shared.lanUrl}/upload`, {
      method: 'POST',
      body: form,
      headers: { Authorization: `Bearer ${guest}` },
    });
    expect(multipart.status).toBe(403);
    const tusPost = await send(`${shared.lanUrl}/files/`, {
      method: 'POST',
      headers: tus(guest, { 'Upload-Length': '4', 'Content-Type': 'application/offset+octet-stream' }),
      body: 'nope',
    });
    expect(tusPost.status).toBe(403);
    expect(await visibleFiles(shared.dir)).toEqual([]);
    expect(await shared.receiver.store.list()).toEqual([]);
  });

  it('asks the receiver\'s acceptGuest, and answers "waiting" to a long poll nobody decided yet', async () => {
    let release!: (accept: boolean) => void;
    const seen: GuestRequest[] = [];
    const shared = await sharedReceiverForTest(
      { requireAccept: true },
      {
        acceptGuest: (request) => {
          seen.push(request);
          return new Promise<boolean>((resolve) => (release = resolve));
        },
        sharingDefaults: { askWaitMs: 150 },
      },
    );
    const guest = await guestToken(shared.lanUrl, shared.linkToken);
    expect((await ask(shared.lanUrl, guest)).json()).toEqual({ state: 'waiting' });
    // Asking again joins the same request instead of prompting twice.
    const second = ask(shared.lanUrl, guest);
    expect(seen).toHaveLength(1);
    release(true);
    expect((await second).json()).toEqual({ state: 'accepted' });
  });

  it('withdraws pending prompts when sharing stops', async () => {
    let signal: AbortSignal | undefined;
    const shared = await sharedReceiverForTest(
      { requireAccept: true },
      { acceptGuest: (_request, abort) => ((signal = abort), new Promise<boolean>(() => {})) },
    );
    const guest = await guestToken(shared.lanUrl, shared.linkToken);
    // Over loopback, whose connections outlive the LAN listener, so the answer can be read.
    const answer = ask(shared.url, guest);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await shared.receiver.sharing.stop();
    expect(signal?.aborted).toBe(true);
    expect((await answer).json()).toEqual({ state: 'declined' });
    expect(shared.receiver.sharing.pending()).toEqual([]);
  });
});
