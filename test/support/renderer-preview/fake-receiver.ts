// A stand-in for the receiver's /ws on loopback: hello, a snapshot, then live progress.
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { ProgressEvent } from '../../../src/shared/progress-event';

export interface FakeReceiver {
  origin: string;
  close(): Promise<void>;
}

export async function startFakeReceiver(
  events: () => ProgressEvent[],
  options: { live: boolean },
): Promise<FakeReceiver> {
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    path: '/ws',
    handleProtocols: (protocols) => (protocols.has('ferry.v1') ? 'ferry.v1' : false),
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (socket) => {
    const snapshot = events();
    socket.send(
      JSON.stringify({
        type: 'hello',
        server: { name: 'ferry-preview' },
        limits: { maxPayload: 65536, maxClients: 16, heartbeatMs: 30000, maxSubscribeIds: 1000 },
      }),
    );
    socket.send(JSON.stringify({ type: 'snapshot', uploads: snapshot }));
    if (!options.live) return;
    const live = snapshot.filter((event) => event.status === 'running').map((event) => ({ ...event }));
    const timer = setInterval(() => {
      for (const event of live) {
        event.seq += 1;
        event.offset =
          event.length === null
            ? event.offset + Math.round(event.bytesPerSecond / 10)
            : Math.min(event.length, event.offset + Math.round(event.bytesPerSecond / 10));
        event.timestamp = new Date().toISOString();
        socket.send(JSON.stringify(event));
      }
    }, 100);
    socket.on('close', () => clearInterval(timer));
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
