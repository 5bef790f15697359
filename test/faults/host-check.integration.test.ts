import { describe, expect, it } from 'vitest';
import { listFiles, receiverForFile } from './support/fixtures';
import { rawRoundTrip, testToken } from './support/http-kit';

// RELIABILITY cases 25 and 26: DNS rebinding (foreign Host) on HTTP and on WebSocket upgrades,
// and upgrades from foreign origins.
const running = receiverForFile();

/** Host header lines (or none) that name some other machine, or nothing sensible. */
const foreignHosts = (port: number): Record<string, string | null> => ({
  'evil.example': 'Host: evil.example',
  'evil.example with our port': `Host: evil.example:${port}`,
  'our address as a subdomain': `Host: 127.0.0.1.evil.example:${port}`,
  'userinfo trick': `Host: 127.0.0.1:${port}@evil.example`,
  'no port': 'Host: 127.0.0.1',
  'other port': `Host: 127.0.0.1:${port === 1 ? 2 : port - 1}`,
  'trailing dot': `Host: localhost.:${port}`,
  'list of hosts': `Host: 127.0.0.1:${port}, evil.example`,
  'foreign host first of two': `Host: evil.example\r\nHost: 127.0.0.1:${port}`,
  empty: 'Host: ',
  garbage: 'Host: [::1',
  'percent garbage': `Host: %31%32%37.0.0.1:${port}`,
  'very long': `Host: ${'a'.repeat(2000)}:${port}`,
  'zero-padded address': `Host: 127.000.000.001:${port}`,
  'decimal address': `Host: 2130706433:${port}`,
  missing: null,
});

function request(method: string, path: string, hostLine: string | null, extra: string[] = [], version = '1.1'): string {
  const lines = [
    `${method} ${path} HTTP/${version}`,
    ...(hostLine === null ? [] : [hostLine]),
    ...extra,
    'Connection: close',
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

const upgradeLines = [
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version: 13',
];

function upgrade(hostLine: string | null, extra: string[] = []): string {
  const lines = [
    `GET /ws?token=${testToken} HTTP/1.1`,
    ...(hostLine === null ? [] : [hostLine]),
    ...upgradeLines,
    ...extra,
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

describe('Host check on HTTP', () => {
  it('answers our own names normally (the control)', async () => {
    for (const name of ['127.0.0.1', 'localhost', 'LOCALHOST']) {
      const { reply } = await rawRoundTrip(
        running.port,
        request('GET', `/metrics?token=${testToken}`, `Host: ${name}:${running.port}`),
      );
      expect(reply?.status, name).toBe(200);
    }
  });

  for (const [label, hostLine] of Object.entries(foreignHosts(0))) {
    it(`refuses a Host that is ${label}, even with a valid token, and creates nothing`, async () => {
      const line = foreignHosts(running.port)[label]!;
      const before = await listFiles(running.dir);
      const auth = [`Authorization: Bearer ${testToken}`, 'Tus-Resumable: 1.0.0'];
      for (const version of hostLine === null ? ['1.1', '1.0'] : ['1.1']) {
        const get = await rawRoundTrip(running.port, request('GET', '/metrics', line, auth, version));
        const post = await rawRoundTrip(
          running.port,
          request('POST', '/files/', line, [...auth, 'Upload-Length: 10', 'Content-Length: 0'], version),
        );
        for (const { reply } of [get, post]) {
          // Node itself refuses an HTTP/1.1 request with no Host (400) before our check sees it.
          const allowed = hostLine === null && version === '1.1' ? [400, 403, 421] : [403, 421];
          expect(allowed, `${label} over HTTP/${version}: ${reply?.status}`).toContain(reply?.status);
          expect(reply?.headers['access-control-allow-origin']).toBeUndefined();
        }
      }
      expect(await listFiles(running.dir)).toEqual(before);
    });
  }
});

describe('Host and Origin checks on WebSocket upgrades', () => {
  it('upgrades with our Host and a valid token (the control)', async () => {
    const { reply } = await rawRoundTrip(running.port, upgrade(`Host: 127.0.0.1:${running.port}`), 500);
    expect(reply?.status).toBe(101);
  });

  for (const label of Object.keys(foreignHosts(0))) {
    it(`refuses an upgrade whose Host is ${label} with 403 and no socket`, async () => {
      const { reply } = await rawRoundTrip(running.port, upgrade(foreignHosts(running.port)[label]!));
      // A missing Host on HTTP/1.1 may be refused by Node's parser before the upgrade gate runs.
      expect(label === 'missing' ? [400, 403] : [403], `${label}: ${reply?.status}`).toContain(reply?.status);
      expect(reply?.headers['upgrade']).toBeUndefined();
    });
  }

  const foreignOrigins = [
    'http://evil.example',
    'null',
    'http://127.0.0.2',
    `http://127.0.0.1:${1}`,
    'http://192.168.1.10',
    'file://',
    'http://localhost.evil.example',
  ];
  it('refuses upgrades from foreign origins, bare-IP origins and "null" with 403', async () => {
    for (const origin of foreignOrigins) {
      const { reply } = await rawRoundTrip(
        running.port,
        upgrade(`Host: 127.0.0.1:${running.port}`, [`Origin: ${origin}`]),
      );
      expect(reply?.status, origin).toBe(403);
      expect(reply?.body ?? '').not.toContain('"type"');
    }
  });
});
