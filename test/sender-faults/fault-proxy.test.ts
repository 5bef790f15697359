import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFaultProxy, type FaultProxy } from './fault-proxy';

// The proxy is the instrument for cases 5–13; these checks make sure it does what the tests assume.

interface Sink {
  received: Buffer[];
  packets: number;
  ended: boolean;
  error?: string;
}

let server: Server;
let port = 0;
const sinks: Sink[] = [];
let proxy: FaultProxy | undefined;

beforeAll(async () => {
  // Echoes a line back once it sees "\n"; records what it got and how the connection ended.
  server = createServer((socket) => {
    const sink: Sink = { received: [], packets: 0, ended: false };
    sinks.push(sink);
    socket.on('data', (data) => {
      sink.received.push(data);
      sink.packets += 1;
      if (data.includes(10)) socket.write(Buffer.concat(sink.received));
    });
    socket.on('end', () => ((sink.ended = true), socket.end()));
    socket.on('error', (error: NodeJS.ErrnoException) => (sink.error = error.code));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.address() as { port: number }).port;
});

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  sinks.length = 0;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function open(at: number): Promise<{ socket: Socket; got: Buffer[]; closed: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(at, '127.0.0.1', () => resolve({ socket, got, closed }));
    const got: Buffer[] = [];
    socket.on('data', (data) => got.push(data));
    const closed = new Promise<string>((done) => {
      socket.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'error'));
      socket.on('end', () => done('fin'));
    });
    socket.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const total = (buffers: Buffer[]) => buffers.reduce((sum, b) => sum + b.length, 0);

describe('fault proxy', () => {
  it('passes bytes both ways and counts them', async () => {
    proxy = await createFaultProxy({ port });
    const { socket, got } = await open(proxy.port);
    const line = Buffer.concat([randomBytes(5000).map((b) => (b === 10 ? 11 : b)), Buffer.from('\n')]);
    socket.end(line);
    for (const started = Date.now(); total(got) < line.length && Date.now() - started < 2000;) await sleep(10);
    expect(Buffer.concat(got).equals(line)).toBe(true);
    expect(proxy.stats).toMatchObject({ connections: 1, upstreamBytes: line.length, downstreamBytes: line.length });
  });

  it('cuts with a FIN after N upstream bytes', async () => {
    proxy = await createFaultProxy({ port });
    proxy.arm({ kind: 'cut', afterBytes: 1000 });
    const { socket, closed } = await open(proxy.port);
    socket.write(Buffer.alloc(8000, 1));
    expect(await closed).toBe('fin');
    await sleep(50);
    expect(total(sinks[0]!.received)).toBe(1000);
    expect(sinks[0]!.ended).toBe(true);
    expect(proxy.armed).toBe(0);
    // The fault was one-shot: the next connection passes.
    const next = await open(proxy.port);
    next.socket.write('hi\n');
    await sleep(50);
    expect(Buffer.concat(next.got).toString()).toBe('hi\n');
    next.socket.destroy();
  });

  it('resets after N upstream bytes', async () => {
    proxy = await createFaultProxy({ port });
    proxy.setMode({ kind: 'reset', afterBytes: 500 });
    const { socket, closed } = await open(proxy.port);
    socket.write(Buffer.alloc(4000, 1));
    expect(await closed).toBe('ECONNRESET');
    await sleep(50);
    expect(total(sinks[0]!.received)).toBeLessThanOrEqual(500);
    expect(sinks[0]!.error).toBe('ECONNRESET');
  });

  it('black-holes: reads everything, answers nothing, never closes', async () => {
    proxy = await createFaultProxy({ port });
    proxy.setMode({ kind: 'black-hole', afterBytes: 10 });
    const { socket, got, closed } = await open(proxy.port);
    socket.write('0123456789abcdef\n');
    const outcome = await Promise.race([closed, sleep(300).then(() => 'silent')]);
    expect(outcome).toBe('silent');
    expect(got).toHaveLength(0);
    expect(total(sinks[0]!.received)).toBe(10);
    expect(proxy.stats.upstreamBytes).toBe(17);
    // The client giving up is not passed on either: the server must notice by itself.
    socket.destroy();
    await sleep(100);
    expect(sinks[0]!.ended).toBe(false);
  });

  it('slices into small packets and adds latency, bytes intact', async () => {
    proxy = await createFaultProxy({ port });
    proxy.setShaping({ sliceBytes: 100, latencyMs: 5 });
    const { socket, got } = await open(proxy.port);
    const line = Buffer.concat([Buffer.alloc(3000, 7), Buffer.from('\n')]);
    const started = Date.now();
    socket.write(line);
    while (total(got) < line.length && Date.now() - started < 3000) await sleep(10);
    expect(Buffer.concat(got).equals(line)).toBe(true);
    expect(sinks[0]!.packets).toBeGreaterThan(5);
    socket.destroy();
  });

  it('goes away and comes back on the same port', async () => {
    proxy = await createFaultProxy({ port });
    const first = await open(proxy.port);
    await proxy.stopListening();
    expect(await first.closed).toBe('ECONNRESET');
    await expect(open(proxy.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await proxy.resumeListening();
    const again = await open(proxy.port);
    again.socket.write('back\n');
    await sleep(50);
    expect(Buffer.concat(again.got).toString()).toBe('back\n');
    again.socket.destroy();
  });
});
