import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../src/shared/progress-event';
import { receiverForFile } from './support/fixtures';
import { createUpload, headOffset, openExchange, patch, patchHead, sleep, waitFor } from './support/http-kit';

// /ws offsets are "bytes safely stored": a checksummed chunk counts once verified and flushed, so a
// 460 or a chunk cut short never shows as progress that HEAD then takes back.
const running = receiverForFile();
const checksumOf = (data: Buffer) => `sha256 ${createHash('sha256').update(data).digest('base64')}`;

function watch(id: string): ProgressEvent[] {
  const events: ProgressEvent[] = [];
  running.receiver.hub.subscribe((event) => {
    if (event.uploadId === id) events.push(event);
  });
  return events;
}
const highest = (events: ProgressEvent[]) => Math.max(0, ...events.map((event) => event.offset));

describe('progress counts only bytes that are stored for good', () => {
  it('a chunk answered 460 never shows an offset above the stored one', async () => {
    const source = randomBytes(3 * 1024 * 1024);
    const id = await createUpload(running.target, source.length * 2, { filename: 'mismatch.bin' });
    const good = source.subarray(0, 1024 * 1024);
    expect((await patch(running.target, id, 0, good, { 'Upload-Checksum': checksumOf(good) })).status).toBe(204);
    const events = watch(id);
    const rest = source.subarray(good.length);
    expect((await patch(running.target, id, good.length, rest, { 'Upload-Checksum': checksumOf(good) })).status).toBe(
      460,
    );
    await sleep(300);
    expect(await headOffset(running.target, id)).toBe(good.length);
    expect(highest(events)).toBeLessThanOrEqual(good.length);
    expect(running.receiver.hub.get(id)?.offset).toBe(good.length);
  });

  it('a checksummed chunk cut short never shows its bytes either', async () => {
    const chunk = randomBytes(2 * 1024 * 1024);
    const id = await createUpload(running.target, chunk.length, { filename: 'cut.bin' });
    const events = watch(id);
    const exchange = openExchange(
      running.port,
      patchHead(running.port, id, 0, chunk.length, { 'Upload-Checksum': checksumOf(chunk) }),
    );
    exchange.send(chunk.subarray(0, 1024 * 1024));
    // The bytes are in the data file, unverified, before the sender stalls and goes.
    await waitFor(
      async () => ((await running.receiver.store.get(id))?.offset ?? 0) >= 1024 * 1024,
      5_000,
      'the bytes to land',
    );
    await sleep(200);
    exchange.socket.destroy();
    await waitFor(() => running.receiver.hub.get(id)?.status === 'paused', 5_000, 'the cut chunk to settle');
    expect(await headOffset(running.target, id)).toBe(0);
    expect(highest(events)).toBe(0);
  });

  it('a verified chunk shows in full once acknowledged', async () => {
    const chunk = randomBytes(1024 * 1024);
    const id = await createUpload(running.target, chunk.length * 2, { filename: 'verified.bin' });
    const events = watch(id);
    expect((await patch(running.target, id, 0, chunk, { 'Upload-Checksum': checksumOf(chunk) })).status).toBe(204);
    await waitFor(() => highest(events) === chunk.length, 2_000, 'the acknowledged offset');
  });
});
