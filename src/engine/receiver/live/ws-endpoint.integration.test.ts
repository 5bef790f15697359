import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ProgressEvent } from '../../../shared/progress-event';
import type { SnapshotMessage } from '../../../shared/ws-messages';
import {
  checkUploadStream,
  connect,
  createUpload,
  patchChunk,
  pauseReading,
  refusedStatus,
  resumeReading,
  startReceiver,
  upload,
  uploadIdOf,
  wsUrl,
  type RecordingClient,
  type TestReceiver,
} from '../../../../test/support/ws-test-helpers';

const MiB = 1024 * 1024;
const running: TestReceiver[] = [];
const clients: RecordingClient[] = [];

async function receiver(options: Parameters<typeof startReceiver>[0] = {}) {
  const started = await startReceiver(options);
  running.push(started);
  return started;
}

async function client(...args: Parameters<typeof connect>) {
  const connected = await connect(...args);
  clients.push(connected);
  return connected;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const r of running.splice(0)) await r.stop();
});

const isSnapshot = (m: { type: string }): m is SnapshotMessage => m.type === 'snapshot';
const completedFor = (uploadId: string) => (m: { type: string }) =>
  m.type === 'progress' && (m as ProgressEvent).uploadId === uploadId && (m as ProgressEvent).status === 'completed';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;

describe('/ws on the real receiver', () => {
  it('sends hello, then a snapshot, then ordered progress ending with the terminal event', async () => {
    const { url } = await receiver();
    const c = await client(wsUrl(url));
    await c.waitFor(isSnapshot);
    const { uploadId } = await upload(url, randomBytes(4 * MiB), 8, { pauseMs: 60 });
    await c.waitFor(completedFor(uploadId));
    await sleep(400); // anything that would follow the terminal event has time to show up

    const [hello, snapshot, ...rest] = c.messages;
    expect(hello).toMatchObject({
      type: 'hello',
      server: { tusEndpoint: '/files/' },
      limits: { maxPayload: 16 * 1024 },
    });
    expect(snapshot).toEqual({ type: 'snapshot', uploads: [] });
    expect(rest.every((m) => m.type === 'progress')).toBe(true);
    const events = c.progress(uploadId);
    for (const event of events) expect(() => ProgressEvent.parse(event)).not.toThrow();
    expect(checkUploadStream(events)).toEqual([]);
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(events[0]!.status).toBe('created');
    expect(events.at(-1)).toMatchObject({ status: 'completed', offset: 4 * MiB, length: 4 * MiB, progress: 1 });
  });

  it('never lets a stalled reader slow an upload, and gives it coalesced events ending with the terminal one', async () => {
    // fsync time is disk noise, not what this test is about.
    const { url, receiver: r } = await receiver({ durable: false });
    // Loopback buffers hold megabytes, far more than a few progress events. A snapshot bigger than
    // those buffers makes the stall visible on the server, as a slow remote reader would.
    for (let i = 0; i < 2000; i++)
      r.hub.register({ uploadId: `filler-${i}`, source: 'tus', filename: `${'x'.repeat(8000)}${i}`, length: 1 });
    const data = randomBytes(64 * MiB);
    const fast = await client(wsUrl(url));
    await fast.waitFor(isSnapshot);
    await upload(url, data.subarray(0, 8 * MiB), 4); // warm-up

    // Interleaved pairs, compared by median: the shared machine is noisier than the effect we guard against.
    const alone: number[] = [];
    const stalledMs: number[] = [];
    let stalled: RecordingClient | undefined;
    let uploadId = '';
    for (let round = 0; round < 3; round++) {
      alone.push((await upload(url, data, 8)).ms);
      stalled?.ws.terminate();
      stalled = await client(wsUrl(url), { onOpen: pauseReading });
      await sleep(200);
      const run = await upload(url, data, 8);
      stalledMs.push(run.ms);
      uploadId = run.uploadId;
    }
    await fast.waitFor(completedFor(uploadId));
    const show = (list: number[]) => list.map((ms) => ms.toFixed(0)).join(' / ');
    console.info(`64 MiB in 8 PATCHes: alone ${show(alone)} ms; with a stalled reader ${show(stalledMs)} ms`);
    expect(median(stalledMs)).toBeLessThan(median(alone) * 1.5 + 300);
    expect(stalled!.progress(uploadId)).toEqual([]);

    resumeReading(stalled!.ws);
    await stalled!.waitFor(completedFor(uploadId), 30_000);
    await sleep(300);
    const slowEvents = stalled!.progress(uploadId);
    const fastEvents = fast.progress(uploadId);
    console.info(
      `events for the last upload: ${fastEvents.length} to the live reader, ${slowEvents.length} to the stalled one`,
    );
    expect(checkUploadStream(slowEvents)).toEqual([]);
    expect(slowEvents.at(-1)).toMatchObject({ status: 'completed', offset: data.length });
    expect(slowEvents.length).toBeLessThan(fastEvents.length);
    expect(stalled!.messages.map((m) => m.type).slice(0, 2)).toEqual(['hello', 'snapshot']);
  });

  it('refuses foreign origins, foreign hosts and missing or wrong tokens before any upgrade', async () => {
    const { url, port } = await receiver();
    for (const origin of ['http://evil.example', 'http://10.1.2.3:8080', 'null']) {
      expect(await refusedStatus(wsUrl(url), { origin })).toEqual({ status: 403, code: 'WS_ORIGIN_FORBIDDEN' });
    }
    expect(await refusedStatus(wsUrl(url), { headers: { Host: `evil.example:${port}` } })).toEqual({
      status: 403,
      code: 'WS_HOST_FORBIDDEN',
    });
    expect(await refusedStatus(wsUrl(url, ''))).toEqual({ status: 401, code: 'WS_UNAUTHORIZED' });
    expect(await refusedStatus(wsUrl(url, 'token=wrong'))).toEqual({ status: 401, code: 'WS_UNAUTHORIZED' });
    expect(await refusedStatus(wsUrl(url, ''), { protocols: ['ferry.v1', 'token.wrong'] })).toMatchObject({
      status: 401,
    });
    expect(await refusedStatus(`${url.replace(/^http/, 'ws')}/elsewhere?token=secret`)).toMatchObject({ status: 404 });
    // The allowed origin itself still gets in.
    const same = await client(wsUrl(url), { origin: url });
    await same.waitFor(isSnapshot);
  });

  it('accepts the token as a Sec-WebSocket-Protocol entry and echoes only ferry.v1', async () => {
    const { url } = await receiver();
    const c = await client(wsUrl(url, ''), { protocols: ['ferry.v1', 'token.secret'] });
    expect(c.ws.protocol).toBe('ferry.v1');
    await c.waitFor(isSnapshot);
    expect(c.messages[0]!.type).toBe('hello');
  });

  it('gives a reconnecting client a fresh snapshot with the upload as it stands', async () => {
    const { url } = await receiver();
    const first = await client(wsUrl(url));
    const location = await createUpload(url, 2 * MiB, 'half.bin');
    const uploadId = uploadIdOf(location);
    await patchChunk(location, 0, randomBytes(MiB));
    await first.waitFor((m) => m.type === 'progress' && m.uploadId === uploadId && m.offset === MiB);
    await first.close();

    const second = await client(wsUrl(url));
    const snapshot = await second.waitFor(isSnapshot);
    const entry = snapshot.uploads.find((e) => e.uploadId === uploadId);
    expect(entry).toMatchObject({ offset: MiB, length: 2 * MiB, context: { filename: 'half.bin', source: 'tus' } });
    await patchChunk(location, MiB, randomBytes(MiB));
    await second.waitFor(completedFor(uploadId));
    const live = second.progress(uploadId);
    expect(checkUploadStream([entry!, ...live])).toEqual([]);
  });

  it('filters by subscribe, answers bad messages with a coded error, and keeps the socket open', async () => {
    const { url } = await receiver();
    const a = uploadIdOf(await createUpload(url, 10, 'a.bin'));
    const b = uploadIdOf(await createUpload(url, 10, 'b.bin'));
    const c = await client(wsUrl(url));
    await c.waitFor(isSnapshot);
    c.ws.send('not json');
    c.ws.send(JSON.stringify({ type: 'subscribe', uploadIds: [42] }));
    await c.waitFor((m) => m.type === 'error' && m.code === 'WS_INVALID_MESSAGE');
    expect(c.messages.filter((m) => m.type === 'error').map((m) => m.code)).toEqual([
      'WS_INVALID_JSON',
      'WS_INVALID_MESSAGE',
    ]);
    c.ws.send(JSON.stringify({ type: 'subscribe', uploadIds: [b] }));
    const filtered = await c.waitFor((m): m is SnapshotMessage => isSnapshot(m) && m.uploads.length === 1);
    expect(filtered.uploads[0]!.uploadId).toBe(b);
    await patchChunk(`${url}/files/${a}`, 0, randomBytes(10));
    await patchChunk(`${url}/files/${b}`, 0, randomBytes(10));
    await c.waitFor(completedFor(b));
    expect(c.progress(a)).toEqual([]);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
  });

  it('closes a client that sends a frame above maxPayload with 1009', async () => {
    const { url } = await receiver();
    const c = await client(wsUrl(url));
    await c.waitFor(isSnapshot);
    const closed = new Promise<number>((resolve) => c.ws.once('close', resolve));
    c.ws.send('x'.repeat(17 * 1024));
    expect(await closed).toBe(1009);
  });

  it('answers 503 to the connection past the cap, and admits one again after a client leaves', async () => {
    const { url } = await receiver({ maxWebSocketClients: 2 });
    const one = await client(wsUrl(url));
    await client(wsUrl(url));
    expect(await refusedStatus(wsUrl(url))).toEqual({ status: 503, code: 'WS_TOO_MANY_CLIENTS' });
    await one.close();
    await sleep(50);
    const again = await client(wsUrl(url));
    await again.waitFor(isSnapshot);
  });

  it('closes clients with 1001 when the receiver shuts down', async () => {
    const started = await startReceiver();
    const c = await client(wsUrl(started.url));
    await c.waitFor(isSnapshot);
    const closed = new Promise<number>((resolve) => c.ws.once('close', resolve));
    await started.stop();
    expect(await closed).toBe(1001);
  });
});
