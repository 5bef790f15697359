import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../../shared/ws-messages';
import { createReceiverSocket, receiverSocketUrl, type SocketLike, type SocketStatus } from './receiver-socket';

class FakeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  closed = false;
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {}
  close() {
    this.closed = true;
  }
  receive(data: unknown) {
    this.onmessage?.({ data: typeof data === 'string' ? data : JSON.stringify(data) });
  }
  drop() {
    this.onerror?.({});
    this.onclose?.({});
  }
}

const hello = {
  type: 'hello',
  server: {},
  limits: { maxPayload: 1, maxClients: 1, heartbeatMs: 1, maxSubscribeIds: 1 },
};

function setup() {
  const sockets: FakeSocket[] = [];
  const timers: Array<{ callback: () => void; ms: number; cleared: boolean }> = [];
  const messages: ServerMessage[] = [];
  const statuses: SocketStatus[] = [];
  const socket = createReceiverSocket({
    origin: 'http://127.0.0.1:41823',
    token: 'to ken',
    createSocket: (url, protocols) => {
      const created = new FakeSocket(url, protocols);
      sockets.push(created);
      return created;
    },
    onMessage: (message) => messages.push(message),
    onStatus: (status) => statuses.push(status),
    setTimer: (callback, ms) => {
      const timer = { callback, ms, cleared: false };
      timers.push(timer);
      return timer;
    },
    clearTimer: (handle) => void ((handle as { cleared: boolean }).cleared = true),
    random: () => 0.5,
  });
  const fire = () => timers.at(-1)!.callback();
  return { socket, sockets, timers, messages, statuses, fire };
}

describe('receiver socket', () => {
  it('connects with the token and the ferry subprotocol', () => {
    expect(receiverSocketUrl('http://127.0.0.1:1', 'a/b')).toBe('ws://127.0.0.1:1/ws?token=a%2Fb');
    const { socket, sockets } = setup();
    socket.start();
    expect(sockets[0]).toMatchObject({ url: 'ws://127.0.0.1:41823/ws?token=to%20ken', protocols: ['ferry.v1'] });
  });

  it('passes on valid messages and drops invalid ones', () => {
    const { socket, sockets, messages, statuses } = setup();
    socket.start();
    sockets[0]!.receive(hello);
    sockets[0]!.receive('not json');
    sockets[0]!.receive({ type: 'progress', uploadId: 'x' });
    sockets[0]!.receive({ type: 'snapshot', uploads: [] });
    expect(messages.map((message) => message.type)).toEqual(['hello', 'snapshot']);
    expect(statuses).toEqual(['connecting', 'open']);
  });

  it('reconnects with growing delays and resets them after a hello', () => {
    const { socket, sockets, timers, statuses, fire } = setup();
    socket.start();
    sockets[0]!.drop();
    expect(statuses.at(-1)).toBe('closed');
    expect(timers.map((timer) => timer.ms)).toEqual([500]);
    fire();
    sockets[1]!.drop();
    fire();
    sockets[2]!.drop();
    expect(timers.map((timer) => timer.ms)).toEqual([500, 1000, 2000]);
    fire();
    sockets[3]!.receive(hello);
    sockets[3]!.drop();
    expect(timers.at(-1)!.ms).toBe(500);
  });

  it('caps the delay at 10 s', () => {
    const { socket, sockets, timers, fire } = setup();
    socket.start();
    for (let index = 0; index < 8; index += 1) {
      sockets.at(-1)!.drop();
      fire();
    }
    expect(timers.at(-1)!.ms).toBe(10_000);
  });

  it('stops for good: closes the socket, clears the timer, ignores late events', () => {
    const { socket, sockets, timers, messages } = setup();
    socket.start();
    const first = sockets[0]!;
    first.drop();
    socket.stop();
    expect(timers[0]!.cleared).toBe(true);
    socket.start();
    socket.stop();
    expect(sockets[1]!.closed).toBe(true);
    sockets[1]!.receive(hello);
    sockets[1]!.drop();
    expect(messages).toEqual([]);
    expect(timers).toHaveLength(1);
  });
});
