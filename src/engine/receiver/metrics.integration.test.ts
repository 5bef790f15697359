import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiver, type Receiver } from './server';

let receiver: Receiver;
let dir: string;
let base: string;
const auth = { authorization: 'Bearer m3trics', 'tus-resumable': '1.0.0' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-metrics-'));
  receiver = createReceiver({ dir, token: 'm3trics', logger: false });
  base = (await receiver.listen()).url;
});
afterAll(async () => {
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

function sample(text: string, name: string): number {
  const line = text.split('\n').find((row) => row.startsWith(`${name} `) || row.startsWith(`${name}{`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('GET /metrics', () => {
  it('needs the token', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
  });

  it('counts uploads, bytes, errors and connections in Prometheus text', async () => {
    const before = await (await fetch(`${base}/metrics`, { headers: auth })).text();
    const created = await fetch(`${base}/files/`, { method: 'POST', headers: { ...auth, 'upload-length': '5', 'upload-metadata': `filename ${btoa('m.txt')}` } });
    const location = created.headers.get('location')!;
    await fetch(location, { method: 'PATCH', headers: { ...auth, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' }, body: 'hello' });
    await fetch(location, { method: 'PATCH', headers: { ...auth, 'content-type': 'text/plain', 'upload-offset': '0' }, body: 'x' });
    const after = await (await fetch(`${base}/metrics`, { headers: auth })).text();
    expect(after).toContain('# TYPE ferry_requests_total counter');
    expect(sample(after, 'ferry_uploads_created_total') - sample(before, 'ferry_uploads_created_total')).toBe(1);
    expect(sample(after, 'ferry_uploads_finished_total') - sample(before, 'ferry_uploads_finished_total')).toBe(1);
    expect(sample(after, 'ferry_received_bytes_total') - sample(before, 'ferry_received_bytes_total')).toBe(5);
    expect(after).toMatch(/ferry_errors_total\{code="INVALID_CONTENT_TYPE"\} 1/);
    expect(sample(after, 'ferry_open_connections')).toBeGreaterThanOrEqual(1);
  });
});
