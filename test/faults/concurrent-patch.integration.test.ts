import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { patterned, receiverForFile } from './support/fixtures';
import {
  call,
  createUpload,
  headOffset,
  openExchange,
  patch,
  patchHead,
  waitFor,
  type Reply,
} from './support/http-kit';

// RELIABILITY case 17: two clients PATCH one upload at once. One writer at a time, no interleaved bytes.
const running = receiverForFile();

const length = 400_000;
// Position-dependent patterns that differ at every byte: a byte written at the wrong place, or by
// two writers at once, cannot pass for either.
const patternA = patterned(length, 1);
const patternB = Buffer.from(patternA.map((byte) => byte ^ 0xff));

/** Labels each byte 'a', 'b' or 'x' (belongs to neither) and collapses runs: "ab" means A's bytes then B's. */
function runsOf(data: Buffer): string {
  let runs = '';
  for (let i = 0; i < data.length; i++) {
    const label = data[i] === patternA[i] ? 'a' : data[i] === patternB[i] ? 'b' : 'x';
    if (!runs.endsWith(label)) runs += label;
  }
  return runs;
}

function expectLoserAnswer(reply: Reply | undefined, raw: string) {
  expect(reply, raw).toBeDefined();
  if (reply!.status === 400) expect(reply!.headers['x-ferry-error'] ?? reply!.body).toContain('ERR_UPLOAD_INTERRUPTED');
  else expect(reply!.status, raw).toBe(409);
}

const storedOffset = async (id: string) => (await running.receiver.store.get(id))?.offset ?? -1;

describe('two clients PATCH the same upload', () => {
  it('a second writer at a stale offset never writes; the first keeps a clean prefix', async () => {
    const { port, target } = running;
    const id = await createUpload(target, length, { filename: 'contended-1.bin' });
    const first = openExchange(port, patchHead(port, id, 0, length));
    // Slow enough (~200 KB/s) that the body cannot finish inside the holder's short release window.
    const sending = first.pace(patternA, 2_000, 10);
    await waitFor(async () => (await storedOffset(id)) > 50_000, 5_000, 'the first writer to land bytes');

    const second = openExchange(port, patchHead(port, id, 0, length));
    second.send(patternB.subarray(0, 20_000));
    const [firstReply, secondReply] = await Promise.all([first.reply, second.reply]);
    first.stop();
    await sending;
    second.socket.destroy();
    // The newcomer's offset was stale: 409, and none of its bytes land. The holder was asked to let go
    // (400 ERR_UPLOAD_INTERRUPTED), unless its whole body arrived while it was releasing (204).
    expect(secondReply?.status, second.received()).toBe(409);
    if (firstReply?.status !== 204) expectLoserAnswer(firstReply, first.received());
    const kept = Number(firstReply!.headers['upload-offset']);
    expect(await headOffset(target, id)).toBe(kept);
    if (kept < length) {
      expect(runsOf((await readFile(running.receiver.store.dataPath(id))).subarray(0, kept))).toBe('a');
      expect((await patch(target, id, kept, patternB.subarray(kept))).status).toBe(204);
    }
    expect(runsOf(await readFile(join(running.dir, 'contended-1.bin')))).toMatch(/^ab?$/);
  });

  it('two writers starting together: at most one switch of writer, every byte in place', async () => {
    const { port, target } = running;
    const id = await createUpload(target, length, { filename: 'contended-2.bin' });
    const a = openExchange(port, patchHead(port, id, 0, length));
    const b = openExchange(port, patchHead(port, id, 0, length));
    const sendingA = a.pace(patternA, 8_000, 10);
    const sendingB = b.pace(patternB, 8_000, 10);
    const replies = await Promise.all([a.reply, b.reply]);
    a.stop();
    b.stop();
    await Promise.all([sendingA, sendingB]);
    const winners = replies.filter((reply) => reply?.status === 204).length;
    expect(winners).toBeLessThanOrEqual(1);
    for (const [reply, exchange] of [
      [replies[0], a],
      [replies[1], b],
    ] as const) {
      if (reply?.status !== 204) expectLoserAnswer(reply, exchange.received());
    }
    const offset = await headOffset(target, id);
    if (offset < length) expect((await patch(target, id, offset, patternB.subarray(offset))).status).toBe(204);
    expect(runsOf(await readFile(join(running.dir, 'contended-2.bin')))).toMatch(/^(a?b?|b?a?)$/);
  });

  it('two clients that keep taking over (HEAD, then PATCH) never produce a misplaced byte', async () => {
    const { port, target } = running;
    const id = await createUpload(target, length, { filename: 'contended-3.bin' });
    const statuses: number[] = [];
    let patches = 0;

    async function client(pattern: Buffer) {
      for (let round = 0; round < 60; round++) {
        const head = await call(target, 'HEAD', `/files/${id}`);
        expect(head.status).toBe(200);
        const offset = Number(head.headers['upload-offset']);
        if (offset === length) return;
        patches++;
        const exchange = openExchange(port, patchHead(port, id, offset, length - offset));
        const sending = exchange.pace(pattern.subarray(offset), 4_000, 5);
        const reply = await exchange.reply;
        exchange.stop();
        await sending;
        exchange.socket.destroy();
        // 0 means the connection died without an answer (e.g. an RST that wiped the reply).
        statuses.push(reply?.status ?? 0);
        if (reply?.status === 204 && Number(reply.headers['upload-offset']) === length) return;
      }
    }

    await Promise.all([client(patternA), client(patternB)]);
    expect(await headOffset(target, id)).toBe(length);
    expect(
      statuses.every((status) => [204, 400, 409].includes(status)),
      statuses.join(','),
    ).toBe(true);
    const runs = runsOf(await readFile(join(running.dir, 'contended-3.bin')));
    expect(runs).not.toContain('x');
    // Each writer switch needs a PATCH that took over.
    expect(runs.length).toBeLessThanOrEqual(patches);
  });
});
