import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../shared/progress-event';
import { createFormat, pickMessages } from './i18n';
import { applyEvent, rowFromEvent, splitName, summarize, type Row } from './model';
import { createEtaSmoother, createRateMeter } from './rate';

const row = (over: Partial<Row>): Row => ({
  key: 'k',
  name: 'a',
  size: 100,
  sent: 0,
  bytesPerSecond: 0,
  etaSeconds: null,
  state: 'uploading',
  local: true,
  ...over,
});
const event = (over: Partial<ProgressEvent>): ProgressEvent => ({
  type: 'progress',
  uploadId: 'u1',
  seq: 1,
  status: 'running',
  offset: 0,
  length: 100,
  progress: 0,
  bytesPerSecond: 0,
  etaSeconds: null,
  timestamp: new Date().toISOString(),
  context: { filename: 'a.bin', source: 'tus' },
  ...over,
});

describe('phone page model', () => {
  it('sums rows into the overall line, leaving declined ones out', () => {
    const summary = summarize([
      row({ key: '1', sent: 50, state: 'uploading' }),
      row({ key: '2', sent: 100, state: 'done' }),
      row({ key: '3', state: 'declined' }),
      row({ key: '4', local: false, state: 'paused', sent: 10 }),
    ]);
    expect(summary).toMatchObject({ done: 1, total: 3, sent: 160, size: 300, orphans: 1, active: true });
    expect(summary.fraction).toBeCloseTo(160 / 300);
  });

  it("takes stored offsets from /ws, never going back, and the receiver's word on completion", () => {
    const r = row({});
    applyEvent(r, event({ offset: 60 }));
    applyEvent(r, event({ offset: 40 }));
    expect(r.sent).toBe(60);
    applyEvent(r, event({ offset: 100 }));
    expect(r.state).toBe('checking');
    applyEvent(r, event({ offset: 100, status: 'completed' }));
    expect(r.state).toBe('done');
  });

  it('shows an upload known only from the receiver as paused, under its folder path', () => {
    const orphan = rowFromEvent(
      event({
        status: 'paused',
        offset: 30,
        context: { filename: 'b.mov', source: 'tus', relativePath: 'trip/b.mov' },
      }),
    );
    expect(orphan).toMatchObject({
      key: 'id:u1',
      name: 'trip/b.mov',
      sent: 30,
      size: 100,
      state: 'paused',
      local: false,
    });
    expect(rowFromEvent(event({ status: 'completed', offset: 100 })).state).toBe('done');
  });

  it('never cuts the extension', () => {
    expect(splitName('trip/clip.final.mov')).toEqual({ stem: 'trip/clip.final', ext: '.mov' });
    expect(splitName('.bashrc')).toEqual({ stem: '.bashrc', ext: '' });
    expect(splitName('folder.v2/README')).toEqual({ stem: 'folder.v2/README', ext: '' });
  });
});

describe('speed and ETA', () => {
  it('measures stored bytes over a window and falls off when bytes stop', () => {
    const meter = createRateMeter(3000);
    meter.sample(0, 0);
    expect(meter.rate(200)).toBe(0);
    meter.sample(1_000_000, 1000);
    expect(meter.rate(1000)).toBe(1_000_000);
    expect(meter.rate(2000)).toBe(500_000);
  });

  it('eases the ETA instead of jumping', () => {
    const smooth = createEtaSmoother(2000);
    expect(smooth(100, 0)).toBe(100);
    const next = smooth(20, 1000)!;
    expect(next).toBeGreaterThan(20);
    expect(next).toBeLessThan(99);
    expect(smooth(null, 2000)).toBeNull();
  });
});

describe('page language', () => {
  it('picks Simplified Chinese for any zh preference, English otherwise', () => {
    expect(pickMessages(['zh-CN']).lang).toBe('zh-CN');
    expect(pickMessages(['zh-TW', 'en']).lang).toBe('zh-CN');
    expect(pickMessages(['fr-FR', 'en-GB']).lang).toBe('en');
    expect(pickMessages(['de']).lang).toBe('en');
  });

  it('formats sizes and times per language', () => {
    const en = createFormat(pickMessages(['en']));
    expect(en.bytes(999)).toBe('999 B');
    expect(en.bytes(1_234_567)).toBe('1.2 MB');
    expect(en.bytes(123_456_789)).toBe('123 MB');
    expect(en.duration(80)).toBe('1 min 20 s');
    expect(en.duration(4000)).toBe('1 h 6 min');
    const zh = createFormat(pickMessages(['zh']));
    expect(zh.duration(80)).toBe('1 分 20 秒');
  });
});
