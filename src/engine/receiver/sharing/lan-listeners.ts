import type { Server as HttpServer } from 'node:http';
import { createServer, isIP, type Server, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { FerryError } from '../../errors';

export interface LanEndpoint {
  address: string;
  port: number;
}

export interface LanListeners {
  /** Listens on each address (the receiver's port where free); all or nothing. */
  open(addresses: readonly string[], preferredPort: number): Promise<LanEndpoint[]>;
  /**
   * Stops listening and cuts every connection that came in through these listeners; with
   * `keepConnections` (the receiver is shutting down) they are left to its own graceful close.
   */
  close(options?: { keepConnections?: boolean }): Promise<void>;
  endpoints(): LanEndpoint[];
}

/** This machine's non-loopback IPv4 addresses: what a phone on the same Wi-Fi can reach. */
export function defaultLanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)
    .map((entry) => entry!.address);
}

/** A concrete address to listen on: wildcards would open every interface, which sharing never means to do. */
export function checkLanAddress(address: string): string {
  const kind = isIP(address);
  if (kind === 0 || address === '0.0.0.0' || address === '::') {
    throw new FerryError('SHARING_BAD_ADDRESS', `Not a usable address to share on: ${JSON.stringify(address)}`, {
      status: 400,
    });
  }
  return address;
}

function listenOn(server: Server, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    server.once('error', failed);
    server.listen({ port, host: address, exclusive: true }, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

/**
 * Extra listeners for LAN sharing. Each hands its connections to the receiver's own HTTP server, so
 * timeouts, limits, WebSocket upgrades and graceful shutdown are the same as on loopback.
 */
export function createLanListeners(http: HttpServer): LanListeners {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  let current: LanEndpoint[] = [];

  async function close(options: { keepConnections?: boolean } = {}): Promise<void> {
    const closing = servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    current = [];
    // net.Server.close waits for its connections; those left to the receiver end only after this returns.
    if (options.keepConnections) return;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await Promise.all(closing);
  }

  return {
    async open(addresses, preferredPort) {
      await close();
      const opened: LanEndpoint[] = [];
      try {
        for (const address of addresses) {
          const server = createServer((socket) => {
            sockets.add(socket);
            socket.once('close', () => sockets.delete(socket));
            http.emit('connection', socket);
          });
          servers.push(server);
          try {
            await listenOn(server, preferredPort, address);
          } catch (error) {
            // The receiver's port is taken on that address by something else: any free one will do.
            if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
            await listenOn(server, 0, address);
          }
          const bound = server.address();
          opened.push({ address, port: typeof bound === 'object' && bound ? bound.port : preferredPort });
        }
      } catch (error) {
        await close();
        const code = (error as NodeJS.ErrnoException).code;
        throw new FerryError(
          'SHARING_LISTEN_FAILED',
          `Could not listen for other devices: ${code ?? (error as Error).message}`,
          { status: 500, cause: error },
        );
      }
      current = opened;
      return opened;
    },
    close,
    endpoints: () => current,
  };
}
