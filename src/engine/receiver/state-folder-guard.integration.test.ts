import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeBase, startReceiver, type TestReceiver } from '../../../test/support/tus-test-client';

let t: TestReceiver;
const headers = { authorization: 'Bearer guard', 'tus-resumable': '1.0.0' };

beforeAll(async () => {
  t = await startReceiver({ token: 'guard' });
});
afterAll(() => removeBase(t));

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('the state folder inside the receive folder', () => {
  it.each(['.ferry/uploads/x', './.ferry/uploads/x', '.\\.ferry\\uploads\\x', '.FERRY/uploads/x', '/.ferry/uploads/'])(
    'never receives a client file through relativePath %j',
    async (relativePath) => {
      const response = await fetch(`${t.url}/files/`, {
        method: 'POST',
        headers: {
          ...headers,
          'upload-length': '1',
          'content-type': 'application/offset+octet-stream',
          'upload-metadata': `filename ${b64('planted.pending')},relativePath ${b64(relativePath)}`,
        },
        body: '0',
      });
      expect(response.status).toBe(201);
      const stateFiles = await readdir(join(t.dir, '.ferry', 'uploads'));
      expect(stateFiles.filter((name) => name.startsWith('planted'))).toEqual([]);
    },
  );
});
