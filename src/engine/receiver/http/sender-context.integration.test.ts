import { afterEach, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../shared/progress-event';
import {
  create,
  idOf,
  meta,
  removeBase,
  startReceiver,
  token,
  tusHeaders,
  type TestReceiver,
} from '../../../../test/support/tus-test-client';

let t: TestReceiver | undefined;
afterEach(async () => {
  await removeBase(t);
  t = undefined;
});

function record(receiver: TestReceiver): ProgressEvent[] {
  const events: ProgressEvent[] = [];
  receiver.receiver.hub.subscribe((event) => events.push(event));
  return events;
}

describe('who sent an upload (progress context)', () => {
  it('a tus upload carries the peer address, the user agent and the declared relative path', async () => {
    t = await startReceiver();
    const events = record(t);
    const url = await create(t.endpoint, {
      ...tusHeaders,
      'Upload-Length': 3,
      'User-Agent': 'curl/8.5.0',
      'Upload-Metadata': meta({ filename: 'a.txt', relativePath: 'photos/a.txt' }),
    });
    const first = events.find((event) => event.uploadId === idOf(url));
    expect(first?.context).toMatchObject({
      filename: 'a.txt',
      source: 'tus',
      remoteAddress: '127.0.0.1',
      userAgent: 'curl/8.5.0',
      relativePath: 'photos/a.txt',
    });
  });

  it('a tus upload without metadata has no relative path, and a huge user agent is capped', async () => {
    t = await startReceiver();
    const events = record(t);
    const url = await create(t.endpoint, { ...tusHeaders, 'Upload-Length': 3, 'User-Agent': 'x'.repeat(5000) });
    const context = events.find((event) => event.uploadId === idOf(url))!.context;
    expect(context.relativePath).toBeUndefined();
    expect(String(context.userAgent)).toHaveLength(256);
  });

  it('a multipart file carries the peer address, the user agent and where it landed', async () => {
    t = await startReceiver();
    const events = record(t);
    const form = new FormData();
    form.append('file', new Blob(['hello']), 'greeting.txt');
    const response = await fetch(`${t.url}/upload`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${token}`, 'user-agent': 'Firefox/140' },
    });
    expect(response.status).toBe(201);
    const completed = events.find((event) => event.context.source === 'multipart' && event.status === 'completed');
    expect(completed?.context).toMatchObject({
      filename: 'greeting.txt',
      remoteAddress: '127.0.0.1',
      userAgent: 'Firefox/140',
      placedPath: 'greeting.txt',
    });
  });
});
