import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeBase, startReceiver, type TestReceiver } from '../../../../test/support/tus-test-client';

let t: TestReceiver;
const auth = { authorization: 'Bearer m3trics', 'tus-resumable': '1.0.0' };

beforeAll(async () => {
  t = await startReceiver({ token: 'm3trics' });
});
afterAll(() => removeBase(t));

function sample(text: string, name: string): number {
  const line = text.split('\n').find((row) => row.startsWith(`${name} `) || row.startsWith(`${name}{`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('GET /metrics', () => {
  it('needs the token', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
  });

  it('counts uploads, bytes, errors and connections in Prometheus text', async () => {
    const before = await (await fetch(`${t.url}/metrics`, { headers: auth })).text();
    const created = await fetch(`${t.url}/files/`, {
      method: 'POST',
      headers: { ...auth, 'upload-length': '5', 'upload-metadata': `filename ${btoa('m.txt')}` },
    });
    const location = created.headers.get('location')!;
    await fetch(location, {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
      body: 'hello',
    });
    await fetch(location, {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'text/plain', 'upload-offset': '0' },
      body: 'x',
    });
    const after = await (await fetch(`${t.url}/metrics`, { headers: auth })).text();
    expect(after).toContain('# TYPE ferry_requests_total counter');
    expect(sample(after, 'ferry_uploads_created_total') - sample(before, 'ferry_uploads_created_total')).toBe(1);
    expect(sample(after, 'ferry_uploads_finished_total') - sample(before, 'ferry_uploads_finished_total')).toBe(1);
    expect(sample(after, 'ferry_received_bytes_total') - sample(before, 'ferry_received_bytes_total')).toBe(5);
    expect(after).toMatch(/ferry_errors_total\{code="INVALID_CONTENT_TYPE"\} 1/);
    expect(sample(after, 'ferry_open_connections')).toBeGreaterThanOrEqual(1);
  });

  it('counts multipart uploads, their bytes and their errors', async () => {
    const before = await (await fetch(`${t.url}/metrics`, { headers: auth })).text();
    const form = new FormData();
    form.append('file', new Blob(['multi']), 'one.txt');
    form.append('file', new Blob(['part!!']), 'two.txt');
    const stored = await fetch(`${t.url}/upload`, {
      method: 'POST',
      headers: { authorization: auth.authorization },
      body: form,
    });
    expect(stored.status).toBe(201);
    const fieldsOnly = new FormData();
    fieldsOnly.append('note', 'no file here');
    const refused = await fetch(`${t.url}/upload`, {
      method: 'POST',
      headers: { authorization: auth.authorization },
      body: fieldsOnly,
    });
    expect(refused.status).toBe(400);
    await refused.body?.cancel();
    const after = await (await fetch(`${t.url}/metrics`, { headers: auth })).text();
    const delta = (name: string) => sample(after, name) - sample(before, name);
    expect(delta('ferry_uploads_created_total')).toBe(2);
    expect(delta('ferry_uploads_finished_total')).toBe(2);
    expect(delta('ferry_received_bytes_total')).toBe('multi'.length + 'part!!'.length);
    expect(after).toMatch(/ferry_errors_total\{code="NO_FILES"\} 1/);
  });
});
