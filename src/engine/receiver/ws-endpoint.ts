// Placeholder: replaced by the real /ws endpoint.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { ProgressHub } from '../progress/progress-hub';
import type { AccessPolicy } from './access-policy';

export interface WebSocketEndpointDeps {
  hub: ProgressHub;
  policy: AccessPolicy;
  maxClients: number;
  maxPayload?: number;
  info: () => Record<string, unknown>;
}

export function createWebSocketEndpoint(_deps: WebSocketEndpointDeps) {
  return {
    handleUpgrade(_req: IncomingMessage, socket: Socket, _head: Buffer) {
      socket.destroy();
    },
    close() {},
    clientCount: () => 0,
  };
}
