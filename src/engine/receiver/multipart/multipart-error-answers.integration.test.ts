import { describe, expect, it } from 'vitest';
import {
  closingBoundary,
  fieldPart,
  filePart,
  type TestServer,
  testServerPerTest,
} from '../../../../test/support/multipart-test-server';

// Every error answer names its code in `X-Ferry-Error`, as tus and the routes do: metrics and
// clients read the code there without parsing the body.
const startServer = testServerPerTest();

async function answer(s: TestServer, body: Buffer, contentType?: string) {
  const response = await fetch(s.url, {
    method: 'POST',
    headers: { 'Content-Type': contentType ?? 'multipart/form-data; boundary=ferryTestBoundary7MA4YWxk' },
    body,
  });
  return {
    status: response.status,
    code: response.headers.get('x-ferry-error'),
    type: response.headers.get('content-type'),
    body: (await response.json()) as unknown,
  };
}

describe('multipart error answers', () => {
  it.each([
    ['FILE_TOO_LARGE', 413, () => [filePart('f', 'big.bin', Buffer.alloc(2_000))], undefined],
    ['NO_FILES', 400, () => [fieldPart('a', '1')], undefined],
    ['UNSUPPORTED_MEDIA_TYPE', 415, () => [filePart('f', 'a.txt', 'data')], 'text/plain'],
  ] as const)('%s carries X-Ferry-Error and the JSON error body', async (code, status, parts, contentType) => {
    const server = await startServer({ limits: { maxFileSize: 1_000 } });
    const result = await answer(server, Buffer.concat([...parts(), closingBoundary]), contentType);
    expect(result).toEqual({
      status,
      code,
      type: 'application/json; charset=utf-8',
      body: { error: { code, message: expect.any(String) } },
    });
  });
});
