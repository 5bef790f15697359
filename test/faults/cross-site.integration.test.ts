import { describe, expect, it } from 'vitest';
import { listFiles, receiverForFile } from './support/fixtures';
import { call, createUpload, rawRoundTrip, type Reply } from './support/http-kit';

// RELIABILITY cases 27 and 28: cross-site "simple" multipart POSTs, and CORS.
const appOrigin = 'http://app.example:5173';
const running = receiverForFile({ corsOrigins: [appOrigin] });
const seen: Reply[] = [];

function multipartBody(boundary: string): string {
  return [
    `--${boundary}`,
    'Content-Disposition: form-data; name="note"',
    '',
    'hello',
    `--${boundary}`,
    'Content-Disposition: form-data; name="file"; filename="planted.html"',
    'Content-Type: text/html',
    '',
    `<script>${'x'.repeat(100_000)}</script>`,
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/** What a browser sends for a cross-site HTML form post: no preflight, no Authorization header. */
function formPost(path: string, extraHeaders: string[] = []): string {
  const boundary = '----ferryFaultBoundary';
  const body = multipartBody(boundary);
  const head = [
    `POST ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${running.port}`,
    'Origin: http://evil.example',
    'Referer: http://evil.example/attack.html',
    `Content-Type: multipart/form-data; boundary=${boundary}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...extraHeaders,
  ];
  return `${head.join('\r\n')}\r\n\r\n${body}`;
}

describe('cross-site simple multipart POST without a token', () => {
  const cases: Record<string, [string, string[]]> = {
    'no token at all': ['/upload', []],
    'a wrong ?token=': ['/upload?token=guess', []],
    'an empty ?token=': ['/upload?token=', []],
    'a token in a cookie': ['/upload', ['Cookie: token=secret']],
    'a wrong bearer': ['/upload', ['Authorization: Bearer guess']],
    'a Basic credential': ['/upload', ['Authorization: Basic c2VjcmV0OnNlY3JldA==']],
  };
  for (const [label, [path, extra]] of Object.entries(cases)) {
    it(`answers 401 to ${label} and writes nothing`, async () => {
      const before = await listFiles(running.dir);
      const progressBefore = running.receiver.hub.snapshot().length;
      const { reply } = await rawRoundTrip(running.port, formPost(path, extra));
      expect(reply?.status).toBe(401);
      expect(reply?.headers['access-control-allow-origin']).toBeUndefined();
      expect(await listFiles(running.dir)).toEqual(before);
      expect(running.receiver.hub.snapshot().length).toBe(progressBefore);
    });
  }

  it('refuses the same form aimed at the tus endpoint', async () => {
    const before = await listFiles(running.dir);
    const { reply } = await rawRoundTrip(running.port, formPost('/files/'));
    expect(reply?.status).toBe(401);
    expect(await listFiles(running.dir)).toEqual(before);
  });
});

describe('CORS', () => {
  const askFor = async (method: string, path: string, origin: string, headers: Record<string, string> = {}) => {
    const reply = await call(running.target, method, path, { Origin: origin, ...headers });
    seen.push(reply);
    return reply;
  };
  const preflight = (origin: string) =>
    askFor('OPTIONS', '/files/', origin, {
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization,tus-resumable,upload-length',
    });

  it('gives an unknown origin no allow-origin header, on preflight and on real requests', async () => {
    for (const origin of [
      'http://evil.example',
      'null',
      'http://app.example:5173.evil.example',
      'http://app.example',
      'https://app.example:5173',
      `${appOrigin}/`,
    ]) {
      for (const reply of [
        await preflight(origin),
        await askFor('GET', '/metrics', origin),
        await askFor('POST', '/files/', origin, { 'Upload-Length': '1' }),
      ]) {
        expect(reply.headers['access-control-allow-origin'], origin).toBeUndefined();
        expect(reply.headers['access-control-allow-credentials']).toBeUndefined();
      }
    }
  });

  it('gives the allowed origin exactly that origin back, with Vary: Origin', async () => {
    const pre = await preflight(appOrigin);
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(appOrigin);
    expect(pre.headers['access-control-allow-methods']).toContain('PATCH');
    expect(pre.headers['vary']).toMatch(/origin/i);
    const id = await createUpload(running.target, 10);
    for (const reply of [await askFor('GET', '/metrics', appOrigin), await askFor('HEAD', `/files/${id}`, appOrigin)]) {
      expect(reply.headers['access-control-allow-origin']).toBe(appOrigin);
      expect(reply.headers['vary']).toMatch(/origin/i);
      expect(reply.headers['access-control-expose-headers']).toMatch(/upload-offset/i);
    }
  });

  it('serves its own origin as allowed (the page it hosts)', async () => {
    const own = `http://127.0.0.1:${running.port}`;
    expect((await preflight(own)).headers['access-control-allow-origin']).toBe(own);
  });

  it('never answered with a wildcard', async () => {
    expect(seen.length).toBeGreaterThan(20);
    for (const reply of seen) {
      expect(reply.headers['access-control-allow-origin']).not.toBe('*');
      expect(reply.headers['access-control-allow-headers'] ?? '').not.toBe('*');
      expect(reply.headers['access-control-allow-methods'] ?? '').not.toBe('*');
    }
  });
});
