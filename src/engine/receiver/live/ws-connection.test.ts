import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProgressEvent, UploadStatus } from '../../../shared/progress-event';
import { ServerMessage, type HelloMessage } from '../../../shared/ws-messages';
import { createWsConnection, type WsSocketLike } from './ws-connection';

/** A socket whose unsent byte count the test controls. */
function fakeSocket() {
  const sent: ServerMessage[] = [];
  const callbacks: Array<() => void> = [];
  const socket = {
    readyState: 1,
    bufferedAmount: 0,
    send(data: string, callback?: (error?: Error) => void) {
      sent.push(ServerMessage.parse(JSON.parse(data)));
      if (callback) callbacks.push(() => callback());
    },
  } satisfies WsSocketLike;
  const drain = () => {
    socket.bufferedAmount = 0;
    for (const callback of callbacks.splice(0)) callback();
  };
  return { socket, sent, drain };
}

const hello: HelloMessage = {
  type: 'hello',
  server: {},
  limits: { maxPayload: 1, maxClients: 1, heartbeatMs: 1, maxSubscribeIds: 1 },
};

function event(uploadId: string, seq: number, offset: number, status: UploadStatus = 'running'): ProgressEvent {
  return {
    type: 'progress',
    uploadId,
    seq,
    status,
    offset,
    length: 100,
    progress: offset / 100,
    bytesPerSecond: 0,
    etaSeconds: null,
    timestamp: new Date(0).toISOString(),
    context: { filename: `${uploadId}.bin`, source: 'tus' },
  };
}

const progressOf = (sent: ServerMessage[], uploadId: string) =>
  sent.filter((m): m is ProgressEvent => m.type === 'progress' && m.uploadId === uploadId);

afterEach(() => {
  vi.useRealTimers();
});

describe('ws connection outbox', () => {
  it('sends hello, then the snapshot, then live events', () => {
    const { socket, sent } = fakeSocket();
    const connection = createWsConnection({
      socket,
      snapshot: () => [event('a', 3, 30)],
      highWaterMark: 1000,
      flushIntervalMs: 10,
    });
    connection.push(event('a', 2, 20)); // before start: held back
    connection.start(hello);
    connection.push(event('a', 3, 30)); // already in the snapshot
    connection.push(event('a', 4, 40));
    expect(sent.map((m) => m.type)).toEqual(['hello', 'snapshot', 'progress']);
    expect(progressOf(sent, 'a').map((e) => e.seq)).toEqual([4]);
  });

  it('keeps only the newest event per upload while the socket is slow, and never drops the terminal one', () => {
    vi.useFakeTimers();
    const { socket, sent, drain } = fakeSocket();
    const connection = createWsConnection({ socket, snapshot: () => [], highWaterMark: 1000, flushIntervalMs: 50 });
    connection.start(hello);
    socket.bufferedAmount = 5000;
    for (let seq = 1; seq <= 100; seq++) connection.push(event('a', seq, seq));
    connection.push(event('b', 1, 10));
    connection.push(event('a', 101, 100, 'completed'));
    connection.push(event('a', 102, 100, 'completed')); // nothing may follow a terminal event
    expect(connection.pendingCount()).toBe(2);
    vi.advanceTimersByTime(200);
    expect(progressOf(sent, 'a')).toEqual([]);
    socket.bufferedAmount = 0;
    vi.advanceTimersByTime(60);
    expect(progressOf(sent, 'a').map((e) => [e.seq, e.status])).toEqual([[101, 'completed']]);
    expect(progressOf(sent, 'b').map((e) => e.seq)).toEqual([1]);
    connection.push(event('a', 103, 100, 'completed'));
    drain();
    expect(progressOf(sent, 'a')).toHaveLength(1);
    expect(connection.pendingCount()).toBe(0);
  });

  it('flushes as soon as the write callback reports room, without waiting for the timer', () => {
    vi.useFakeTimers();
    const { socket, sent, drain } = fakeSocket();
    const connection = createWsConnection({ socket, snapshot: () => [], highWaterMark: 1000, flushIntervalMs: 60_000 });
    connection.start(hello);
    socket.bufferedAmount = 5000;
    connection.push(event('a', 1, 1));
    connection.push(event('a', 2, 2));
    expect(progressOf(sent, 'a')).toEqual([]);
    drain();
    expect(progressOf(sent, 'a').map((e) => e.seq)).toEqual([2]);
  });

  it('drops stale and out-of-order events so seq and offset only increase', () => {
    const { socket, sent } = fakeSocket();
    const connection = createWsConnection({ socket, snapshot: () => [], highWaterMark: 1000, flushIntervalMs: 10 });
    connection.start(hello);
    connection.push(event('a', 5, 50));
    connection.push(event('a', 4, 40));
    connection.push(event('a', 5, 50));
    connection.push(event('a', 6, 60));
    expect(progressOf(sent, 'a').map((e) => e.offset)).toEqual([50, 60]);
  });

  it('applies a subscribe filter, answers it with a filtered snapshot, and drops queued events it excludes', () => {
    vi.useFakeTimers();
    const { socket, sent } = fakeSocket();
    const state = [event('a', 1, 10), event('b', 1, 10)];
    const connection = createWsConnection({ socket, snapshot: () => state, highWaterMark: 1000, flushIntervalMs: 10 });
    connection.start(hello);
    socket.bufferedAmount = 5000;
    connection.push(event('a', 2, 20));
    connection.receive(JSON.stringify({ type: 'subscribe', uploadIds: ['b'] }), false);
    connection.receive(JSON.stringify({ type: 'subscribe', uploadIds: ['b'] }), false);
    expect(connection.pendingCount()).toBe(0);
    socket.bufferedAmount = 0;
    vi.advanceTimersByTime(20);
    const snapshots = sent.filter((m) => m.type === 'snapshot');
    // Two subscribes while slow collapse into one answer.
    expect(snapshots).toHaveLength(2);
    expect(snapshots[1]!.uploads.map((e) => e.uploadId)).toEqual(['b']);
    connection.push(event('a', 3, 30));
    connection.push(event('b', 2, 20));
    expect(sent.filter((m) => m.type === 'progress').map((m) => m.uploadId)).toEqual(['b']);
    connection.receive(JSON.stringify({ type: 'subscribe', uploadIds: [] }), false);
    expect(sent.at(-1)).toMatchObject({ type: 'snapshot', uploads: [{ uploadId: 'a' }, { uploadId: 'b' }] });
  });

  it('answers invalid messages with a coded error and keeps going', () => {
    const { socket, sent } = fakeSocket();
    const connection = createWsConnection({ socket, snapshot: () => [], highWaterMark: 1000, flushIntervalMs: 10 });
    connection.start(hello);
    connection.receive('{nope', false);
    connection.receive(JSON.stringify({ type: 'unsubscribe' }), false);
    connection.receive(JSON.stringify({ type: 'subscribe', uploadIds: 'a' }), false);
    connection.receive(Buffer.from([1, 2]), true);
    const codes = sent.filter((m) => m.type === 'error').map((m) => m.code);
    expect(codes).toEqual(['WS_INVALID_JSON', 'WS_INVALID_MESSAGE', 'WS_INVALID_MESSAGE', 'WS_BINARY_UNSUPPORTED']);
    connection.push(event('a', 1, 1));
    expect(sent.at(-1)).toMatchObject({ type: 'progress', uploadId: 'a' });
  });

  it('queues no error replies for a client that does not read', () => {
    const { socket, sent } = fakeSocket();
    const connection = createWsConnection({ socket, snapshot: () => [], highWaterMark: 1000, flushIntervalMs: 10 });
    connection.start(hello);
    socket.bufferedAmount = 5000;
    for (let i = 0; i < 100; i++) connection.receive('garbage', false);
    expect(sent.filter((m) => m.type === 'error')).toEqual([]);
  });

  it('forgets per-upload history the hub no longer holds, so a long-lived client stays bounded', () => {
    const { socket, sent } = fakeSocket();
    const connection = createWsConnection({ socket, snapshot: () => [], highWaterMark: 1000, flushIntervalMs: 10 });
    connection.start(hello);
    for (let i = 0; i <= 1024; i++) connection.push(event(`u${i}`, 1, 100, 'completed'));
    // u0 was finished and dropped by the hub; an upload registered under that id again starts over.
    connection.push(event('u0', 0, 0, 'created'));
    expect(progressOf(sent, 'u0').map((e) => e.status)).toEqual(['completed', 'created']);
  });

  it('sends nothing after dispose', () => {
    vi.useFakeTimers();
    const { socket, sent } = fakeSocket();
    const connection = createWsConnection({ socket, snapshot: () => [], highWaterMark: 1000, flushIntervalMs: 10 });
    connection.start(hello);
    socket.bufferedAmount = 5000;
    connection.push(event('a', 1, 1));
    connection.dispose();
    socket.bufferedAmount = 0;
    vi.advanceTimersByTime(100);
    connection.push(event('a', 2, 2));
    expect(sent.map((m) => m.type)).toEqual(['hello', 'snapshot']);
  });
});
