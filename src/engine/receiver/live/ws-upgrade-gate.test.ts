import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createAccessPolicy } from '../http/access-policy';
import { chooseSubprotocol, createUpgradeGate, writeRefusal } from './ws-upgrade-gate';

const policy = createAccessPolicy({
  token: 'secret',
  allowedHosts: () => new Set(['127.0.0.1:4000', 'localhost:4000']),
  allowedOrigins: () => new Set(['http://127.0.0.1:4000']),
});

function request(url: string | undefined, headers: Record<string, string> = {}): IncomingMessage {
  return { url, headers: { host: '127.0.0.1:4000', ...headers } } as unknown as IncomingMessage;
}

function gate(clients = 0) {
  return createUpgradeGate({ policy, maxClients: 2, clientCount: () => clients, closed: () => false });
}

const codeOf = (req: IncomingMessage, clients = 0) => gate(clients)(req)?.code;

describe('ws upgrade gate', () => {
  it('lets a same-origin upgrade with a token through', () => {
    expect(codeOf(request('/ws?token=secret', { origin: 'http://127.0.0.1:4000' }))).toBeUndefined();
    expect(codeOf(request('/ws', { 'sec-websocket-protocol': 'ferry.v1, token.secret' }))).toBeUndefined();
    expect(codeOf(request('/ws', { authorization: 'Bearer secret' }))).toBeUndefined();
  });

  it('refuses other paths, including ones a URL parser would read as another host', () => {
    for (const url of ['/', '/ws/', '/wss', '//evil.example/ws', 'http://127.0.0.1:4000/ws', '', undefined]) {
      expect(codeOf(request(url))).toBe('WS_NOT_FOUND');
    }
  });

  it('checks Host, then Origin, then the token, then capacity', () => {
    expect(codeOf(request('/ws?token=secret', { host: 'evil.example' }))).toBe('WS_HOST_FORBIDDEN');
    expect(codeOf(request('/ws?token=secret', { host: '' }))).toBe('WS_HOST_FORBIDDEN');
    for (const origin of ['http://evil.example', 'http://10.1.2.3:8080', 'null', 'http://127.0.0.1:4001', '']) {
      expect(codeOf(request('/ws?token=secret', { origin }))).toBe('WS_ORIGIN_FORBIDDEN');
    }
    expect(codeOf(request('/ws?token=secret', { 'sec-websocket-origin': 'http://evil.example' }))).toBe(
      'WS_ORIGIN_FORBIDDEN',
    );
    expect(codeOf(request('/ws', { origin: 'http://evil.example' }))).toBe('WS_ORIGIN_FORBIDDEN');
    expect(codeOf(request('/ws'))).toBe('WS_UNAUTHORIZED');
    expect(codeOf(request('/ws?token=wrong'))).toBe('WS_UNAUTHORIZED');
    expect(codeOf(request('/ws?token=secret'), 2)).toBe('WS_TOO_MANY_CLIENTS');
    expect(gate()(request('/ws'))?.status).toBe(401);
  });

  it('refuses everything once closed', () => {
    const closed = createUpgradeGate({ policy, maxClients: 2, clientCount: () => 0, closed: () => true });
    expect(closed(request('/ws?token=secret'))?.code).toBe('WS_CLOSING');
  });

  it('echoes a non-secret subprotocol whenever one was offered', () => {
    expect(chooseSubprotocol(new Set(['token.secret', 'ferry.v1']))).toBe('ferry.v1');
    expect(chooseSubprotocol(new Set(['token.secret', 'other']))).toBe('other');
    expect(chooseSubprotocol(new Set(['token.secret']))).toBe('token.secret');
    expect(chooseSubprotocol(new Set())).toBe(false);
  });

  it('writes a plain HTTP refusal with its code and closes the socket', async () => {
    const socket = new PassThrough();
    const refusal = gate()(request('/ws'))!;
    let written = '';
    socket.on('data', (chunk: Buffer) => (written += chunk.toString()));
    writeRefusal(socket, refusal);
    await new Promise((resolve) => socket.once('close', resolve));
    expect(written).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
    expect(written).toContain('X-Ferry-Error: WS_UNAUTHORIZED\r\n');
    expect(socket.destroyed).toBe(true);
  });
});
