import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiver, type Receiver } from './server';

let receiver: Receiver;
let dir: string;
let base: string;
const headers = { authorization: 'Bearer guard', 'tus-resumable': '1.0.0' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-guard-'));
  receiver = createReceiver({ dir, token: 'guard', logger: false });
  base = (await receiver.listen()).url;
});
afterAll(async () => {
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('the state folder inside the receive folder', () => {
  it.each(['.ferry/uploads/x', './.ferry/uploads/x', '.\\.ferry\\uploads\\x', '.FERRY/uploads/x', '/.ferry/uploads/'])('never receives a client file through relativePath %j', async (relativePath) => {
    const response = await fetch(`${base}/files/`, {
      method: 'POST',
      headers: { ...headers, 'upload-length': '1', 'content-type': 'application/offset+octet-stream', 'upload-metadata': `filename ${b64('planted.pending')},relativePath ${b64(relativePath)}` },
      body: '0',
    });
    expect(response.status).toBe(201);
    const stateFiles = await readdir(join(dir, '.ferry', 'uploads'));
    expect(stateFiles.filter((name) => name.startsWith('planted'))).toEqual([]);
  });
});
