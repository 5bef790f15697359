import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { jsonErrorBody, reply, replyError } from './reply';

/** Answers one request with `answer` and returns what the client got. */
async function answered(answer: (res: ServerResponse) => void) {
  const server = createServer((_req, res) => answer(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('reply', () => {
  it('an answer without a body says Content-Length: 0', async () => {
    const got = await answered((res) => reply(res, 204, { 'Upload-Offset': '3' }));
    expect(got).toMatchObject({ status: 204, body: '', headers: { 'upload-offset': '3' } });
  });

  it('an error always names its code in X-Ferry-Error, whatever the other headers say', async () => {
    const got = await answered((res) =>
      replyError(res, 413, 'FILE_TOO_LARGE', jsonErrorBody('FILE_TOO_LARGE', 'too big'), { 'X-Ferry-Error': 'OTHER' }),
    );
    expect(got).toEqual({
      status: 413,
      body: '{"error":{"code":"FILE_TOO_LARGE","message":"too big"}}',
      headers: expect.objectContaining({
        'x-ferry-error': 'FILE_TOO_LARGE',
        'content-type': 'application/json',
        'content-length': '55',
      }),
    });
  });

  it('writes nothing once an answer has started', async () => {
    const got = await answered((res) => {
      reply(res, 201, {}, { contentType: 'text/plain', text: 'first' });
      replyError(res, 500, 'INTERNAL_ERROR', { contentType: 'text/plain', text: 'second' });
    });
    expect([got.status, got.body, got.headers['x-ferry-error']]).toEqual([201, 'first', undefined]);
  });
});
