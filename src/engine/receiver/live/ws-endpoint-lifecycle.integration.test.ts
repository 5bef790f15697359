// The endpoint on a bare HTTP server, to drive heartbeat and shutdown timings a real receiver keeps long.
import { createServer, type Server } from 'node:http';
import { connect as tcpConnect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createProgressHub, type ProgressHub } from '../../progress';
import { createAccessPolicy } from '../http/access-policy';
import { createWebSocketEndpoint, type WebSocketEndpoint, type WebSocketEndpointDeps } from './ws-endpoint';
import {
  connect,
  pauseReading,
  refusedStatus,
  wsUrl,
  type RecordingClient,
} from '../../../../test/support/ws-test-helpers';

interface Setup {
  server: Server;
  hub: ProgressHub;
  endpoint: WebSocketEndpoint;
  url: string;
  port: number;
}

const setups: Setup[] = [];
const clients: RecordingClient[] = [];

async function setup(options: Partial<WebSocketEndpointDeps> = {}): Promise<Setup> {
  let port = 0;
  const hub = createProgressHub();
  const policy = createAccessPolicy({
    token: 'secret',
    allowedHosts: () => new Set([`127.0.0.1:${port}`]),
    allowedOrigins: () => new Set([`http://127.0.0.1:${port}`]),
  });
  const endpoint = createWebSocketEndpoint({ hub, policy, maxClients: 8, info: () => ({ name: 'test' }), ...options });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => endpoint.handleUpgrade(req, socket as Socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const made = { server, hub, endpoint, url: `http://127.0.0.1:${port}`, port };
  setups.push(made);
  return made;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const s of setups.splice(0)) {
    s.endpoint.close();
    s.hub.close();
    s.server.closeAllConnections();
    await new Promise((resolve) => s.server.close(resolve));
  }
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pausedOnOpen = { onOpen: pauseReading };

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe('ws endpoint lifecycle', () => {
  it('terminates a client that stops answering pings and keeps live ones', async () => {
    const { url, endpoint } = await setup({ heartbeatMs: 100 });
    const live = await connect(wsUrl(url));
    clients.push(live, await connect(wsUrl(url), pausedOnOpen));
    expect(endpoint.clientCount()).toBe(2);
    await until(() => endpoint.clientCount() === 1);
    await sleep(300);
    expect(endpoint.clientCount()).toBe(1);
    expect(live.ws.readyState).toBe(live.ws.OPEN);
  });

  it('closes with 1001 on close(), cuts off a stalled client after the grace period, then refuses new upgrades', async () => {
    const { url, endpoint } = await setup({ closeGraceMs: 200 });
    const live = await connect(wsUrl(url));
    clients.push(live, await connect(wsUrl(url), pausedOnOpen));
    const code = new Promise<number>((resolve) => live.ws.once('close', resolve));
    endpoint.close();
    expect(await code).toBe(1001);
    await until(() => endpoint.clientCount() === 0, 2_000);
    expect(await refusedStatus(wsUrl(url))).toEqual({ status: 503, code: 'WS_CLOSING' });
  });

  it('answers a refused upgrade with plain HTTP only, even while events flow', async () => {
    const { port, hub } = await setup();
    hub.register({ uploadId: 'u1', source: 'tus', filename: 'a.bin', length: 1000 });
    const socket = tcpConnect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    const ended = new Promise((resolve) => socket.on('close', resolve));
    socket.write(
      [
        'GET /ws?token=secret HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        'Origin: null',
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        '',
        '',
      ].join('\r\n'),
    );
    for (let offset = 100; offset <= 1000; offset += 100) {
      hub.advance('u1', offset);
      await sleep(20);
    }
    await ended;
    expect(received).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    const body = received.slice(received.indexOf('\r\n\r\n') + 4);
    expect(body).toBe('This Origin may not open a WebSocket here\n');
  });
});
