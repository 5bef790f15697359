import { describe, expect, it } from 'vitest';
import type { ReceivedFile } from '../../../shared/ipc/job-view';
import type { ProgressEvent } from '../../../shared/progress-event';
import { receivedRows, senderOf, senderOfFinished } from './received-model';

const event = (
  uploadId: string,
  overrides: Partial<ProgressEvent> = {},
  context: Record<string, unknown> = {},
): ProgressEvent => ({
  type: 'progress',
  uploadId,
  seq: 1,
  status: 'running',
  offset: 50,
  length: 100,
  progress: 0.5,
  bytesPerSecond: 10,
  etaSeconds: 5,
  timestamp: '2026-01-01T10:00:00.000Z',
  context: { filename: `${uploadId}.jpg`, source: 'tus', ...context },
  ...overrides,
});

const file = (uploadId: string, finishedAt: number, from = '192.168.1.20'): ReceivedFile => ({
  uploadId,
  name: `${uploadId}.pdf`,
  relativePath: `${uploadId}.pdf`,
  size: 10,
  from,
  source: 'multipart',
  finishedAt,
});

describe('senderOf', () => {
  it('recognizes this app, browsers, other clients and bare addresses', () => {
    expect(senderOf({}, true)).toEqual({ kind: 'app' });
    expect(senderOf({ userAgent: 'Ferry/0.1' }, false)).toEqual({ kind: 'app' });
    expect(senderOf({ userAgent: 'Ferry/0.1', remoteAddress: '::ffff:127.0.0.1' }, false)).toEqual({ kind: 'app' });
    expect(senderOf({ userAgent: 'Ferry/0.1', remoteAddress: '192.168.1.9' }, false)).toEqual({
      kind: 'text',
      text: 'Ferry/0.1 · 192.168.1.9',
    });
    const android =
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36';
    expect(senderOf({ userAgent: android }, false)).toEqual({ kind: 'browser', browser: 'Chrome', os: 'Android' });
    expect(senderOf({ userAgent: android, remoteAddress: '192.168.1.31' }, false)).toEqual({
      kind: 'browser',
      browser: 'Chrome',
      os: 'Android',
      address: '192.168.1.31',
    });
    const iphone =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
    expect(senderOf({ userAgent: iphone }, false)).toEqual({ kind: 'browser', browser: 'Safari', os: 'iOS' });
    expect(senderOf({ userAgent: 'curl/8.5.0', remoteAddress: '192.168.1.7' }, false)).toEqual({
      kind: 'text',
      text: 'curl/8.5.0 · 192.168.1.7',
    });
    expect(senderOf({ remoteAddress: '127.0.0.1' }, false)).toEqual({ kind: 'text', text: '127.0.0.1' });
    expect(senderOf(undefined, false)).toEqual({ kind: 'unknown' });
  });

  it('reads the recorded sender of finished files', () => {
    expect(senderOfFinished(file('a', 1, 'This app'), new Set())).toEqual({ kind: 'app' });
    expect(senderOfFinished(file('a', 1, 'x'), new Set(['a']))).toEqual({ kind: 'app' });
    expect(senderOfFinished(file('a', 1, '10.0.0.2'), new Set())).toEqual({ kind: 'text', text: '10.0.0.2' });
    expect(senderOfFinished(file('a', 1, 'curl/8.5.0 · 10.0.0.2'), new Set())).toEqual({
      kind: 'text',
      text: 'curl/8.5.0 · 10.0.0.2',
    });
    const phone =
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36';
    expect(senderOfFinished(file('a', 1, `${phone} · 192.168.1.31`), new Set())).toEqual({
      kind: 'browser',
      browser: 'Chrome',
      os: 'Android',
      address: '192.168.1.31',
    });
    expect(senderOfFinished(file('a', 1, 'Unknown'), new Set())).toEqual({ kind: 'unknown' });
  });
});

describe('receivedRows', () => {
  it('lists arriving uploads first (newest seen first, whatever reported last), then finished files, newest first', () => {
    const events = new Map([
      ['old', event('old', { timestamp: '2026-01-01T12:00:00.000Z' })],
      ['new', event('new', { timestamp: '2026-01-01T11:00:00.000Z' })],
      ['done', event('done', { status: 'completed', offset: 100 })],
      ['part', event('part', {}, { concat: 'partial' })],
    ]);
    const rows = receivedRows(events, [file('f1', 100), file('f2', 200)], new Set());
    expect(rows.map((row) => row.key)).toEqual(['live:new', 'live:old', 'file:f2', 'file:f1']);
  });

  it('puts other devices before this app’s own uploads, keeping each group’s order', () => {
    const events = new Map([
      ['own-1', event('own-1')],
      ['phone', event('phone')],
      ['own-2', event('own-2')],
    ]);
    const rows = receivedRows(events, [], new Set(['own-1', 'own-2']));
    expect(rows.map((row) => row.key)).toEqual(['live:phone', 'live:own-2', 'live:own-1']);
  });

  it('does not list an upload twice once it is in the received list', () => {
    const rows = receivedRows(new Map([['f1', event('f1')]]), [file('f1', 100)], new Set());
    expect(rows.map((row) => row.key)).toEqual(['file:f1']);
  });

  it('shows progress of an arriving upload, unknown length included', () => {
    const [known] = receivedRows(new Map([['a', event('a', { offset: 150 })]]), [], new Set(['a']));
    expect(known).toMatchObject({ kind: 'arriving', stored: 100, fraction: 1, sender: { kind: 'app' } });
    const [unknown] = receivedRows(new Map([['b', event('b', { length: null, offset: 70 })]]), [], new Set());
    expect(unknown).toMatchObject({ stored: 70, fraction: null, size: null });
  });
});
