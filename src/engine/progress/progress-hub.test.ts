import { describe, expect, it, vi } from 'vitest';
import { createProgressHub, type ProgressHub } from './progress-hub';
import { setup, upload, at, codeOf, useHubTestClock } from '../../../test/support/progress-hub-test-support';

useHubTestClock();

describe('register', () => {
  it('emits a created event with seq 0 that get() and snapshot() return, without calling onTransition', () => {
    const { hub, events, transitions } = setup();
    hub.register(upload({ context: { deviceName: 'phone', filename: 'ignored' } }));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'progress',
      uploadId: 'u1',
      seq: 0,
      status: 'created',
      offset: 0,
      length: 1000,
      progress: 0,
      bytesPerSecond: 0,
      etaSeconds: null,
      timestamp: '2025-01-01T00:00:00.000Z',
      context: { filename: 'a.bin', source: 'tus', deviceName: 'phone' },
    });
    expect(hub.get('u1')).toBe(events[0]);
    expect(hub.snapshot()).toEqual([events[0]]);
    expect(transitions).toEqual([]);
  });

  it('is idempotent for an id it already knows', () => {
    const { hub, events } = setup();
    hub.register(upload());
    hub.register(upload({ filename: 'other', length: 5, offset: 3, status: 'paused' }));
    expect(events).toHaveLength(1);
    expect(hub.get('u1')).toMatchObject({ status: 'created', length: 1000, offset: 0 });
  });

  it('restores a given status and offset; a terminal one is sent once and is final', () => {
    const { hub, events } = setup();
    hub.register(upload({ uploadId: 'r', offset: 400, status: 'running' }));
    hub.register(upload({ uploadId: 'd', offset: 1000, status: 'completed' }));
    hub.advance('d', 1001);
    expect(hub.transition('d', 'running')).toBe(false);
    vi.advanceTimersByTime(5000);
    expect(events.map((e) => [e.uploadId, e.status, e.offset])).toEqual([
      ['r', 'running', 400],
      ['d', 'completed', 1000],
    ]);
    expect(events[1]).toMatchObject({ progress: 1, etaSeconds: 0, bytesPerSecond: 0 });
  });

  it('computes progress as offset / length, null without a length, clamped to [0, 1]', () => {
    const { hub } = setup();
    hub.register(upload({ uploadId: 'a', offset: 250 }));
    hub.register(upload({ uploadId: 'b', length: null, offset: 5 }));
    hub.register(upload({ uploadId: 'c', length: 10, offset: 15 }));
    hub.register(upload({ uploadId: 'd', length: 0 }));
    expect(['a', 'b', 'c', 'd'].map((id) => hub.get(id)?.progress)).toEqual([0.25, null, 1, 1]);
  });

  it('rejects bad input with a FerryError code', () => {
    const { hub } = setup();
    expect(codeOf(() => hub.register(upload({ uploadId: '' })))).toBe('PROGRESS_INVALID_ARGUMENT');
    expect(codeOf(() => hub.register(upload({ offset: -1 })))).toBe('PROGRESS_INVALID_ARGUMENT');
    expect(codeOf(() => hub.register(upload({ length: 1.5 })))).toBe('PROGRESS_INVALID_ARGUMENT');
    hub.register(upload());
    expect(codeOf(() => hub.advance('u1', Number.NaN))).toBe('PROGRESS_INVALID_ARGUMENT');
    expect(codeOf(() => createProgressHub({ maxHz: 0 }))).toBe('PROGRESS_INVALID_ARGUMENT');
  });
});

describe('advance', () => {
  it('moves created and paused uploads to running with the new offset, through onTransition', () => {
    const { hub, events, transitions } = setup();
    hub.register(upload());
    hub.advance('u1', 100);
    hub.transition('u1', 'paused');
    vi.advanceTimersByTime(1000);
    hub.advance('u1', 200);
    expect(events.map((e) => [e.status, e.offset])).toEqual([
      ['created', 0],
      ['running', 100],
      ['paused', 100],
      ['running', 200],
    ]);
    expect(transitions.map((t) => t.status)).toEqual(['running', 'paused', 'running']);
  });

  it('ignores offsets that do not grow, and ids it does not know', () => {
    const { hub, events } = setup();
    hub.register(upload({ offset: 500, status: 'running' }));
    hub.advance('u1', 400);
    hub.advance('u1', 500);
    hub.advance('nope', 900);
    vi.advanceTimersByTime(60_000);
    expect(events).toHaveLength(1);
    expect(hub.get('u1')?.offset).toBe(500);
  });
});

describe('throttling', () => {
  it('sends the first update at once and coalesces the rest into one trailing event with the latest offset', () => {
    const { hub, events } = setup();
    hub.register(upload({ status: 'running' }));
    vi.advanceTimersByTime(500);
    hub.advance('u1', 10);
    expect(events.at(-1)).toMatchObject({ offset: 10 });
    vi.advanceTimersByTime(10);
    hub.advance('u1', 20);
    vi.advanceTimersByTime(10);
    hub.advance('u1', 30);
    vi.advanceTimersByTime(79);
    expect(events).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(events).toHaveLength(3);
    expect(at(events[2])).toBe(600);
    expect(events[2]).toMatchObject({ offset: 30, seq: 2 });
  });

  it.each([10, 4])('never exceeds maxHz = %d under a flood of updates, and delivers the final offset', (maxHz) => {
    const { hub, events } = setup({ maxHz });
    hub.register(upload({ length: 10_000, status: 'running' }));
    for (let i = 1; i <= 3000; i++) {
      vi.advanceTimersByTime(1);
      hub.advance('u1', i);
    }
    vi.advanceTimersByTime(2000);
    const times = events.map(at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000 / maxHz);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(maxHz);
    expect(events.length).toBeGreaterThanOrEqual(3 * maxHz);
    expect(events.at(-1)?.offset).toBe(3000);
  });

  it('leaves no timer behind for uploads that are not moving', () => {
    const { hub } = setup();
    hub.register(upload());
    hub.register(upload({ uploadId: 'u2', status: 'paused' }));
    vi.advanceTimersByTime(200);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('status changes', () => {
  it('are sent at once, after flushing the pending offset, and nothing trails them', () => {
    const { hub, events } = setup();
    hub.register(upload({ status: 'running' }));
    vi.advanceTimersByTime(200);
    hub.advance('u1', 100);
    vi.advanceTimersByTime(30);
    hub.advance('u1', 150);
    vi.advanceTimersByTime(10);
    hub.transition('u1', 'paused', { message: 'client went away' });
    const tail = events.slice(-2).map((e) => [e.status, e.offset, at(e), e.message]);
    expect(tail).toEqual([
      ['running', 150, 240, undefined],
      ['paused', 150, 240, 'client went away'],
    ]);
    const count = events.length;
    vi.advanceTimersByTime(10_000);
    expect(events).toHaveLength(count);
  });

  it('always sends the terminal event, and nothing after it', () => {
    const { hub, events, transitions } = setup();
    hub.register(upload({ status: 'running' }));
    hub.advance('u1', 999);
    hub.advance('u1', 1000);
    expect(hub.transition('u1', 'completed')).toBe(true);
    expect(events.at(-1)).toMatchObject({
      status: 'completed',
      offset: 1000,
      progress: 1,
      bytesPerSecond: 0,
      etaSeconds: 0,
    });
    const count = events.length;
    hub.advance('u1', 2000);
    hub.setLength('u1', 5);
    for (const status of ['running', 'paused', 'failed', 'completed'] as const)
      expect(hub.transition('u1', status)).toBe(false);
    vi.advanceTimersByTime(60_000);
    expect(events).toHaveLength(count);
    expect(transitions.map((t) => t.status)).toEqual(['completed']);
  });

  it('puts message and errorCode on a failure, with no speed or ETA', () => {
    const { hub, events } = setup();
    hub.register(upload({ status: 'running' }));
    hub.transition('u1', 'failed', { message: 'disk full', errorCode: 'DISK_FULL' });
    expect(events.at(-1)).toMatchObject({
      status: 'failed',
      message: 'disk full',
      errorCode: 'DISK_FULL',
      bytesPerSecond: 0,
      etaSeconds: null,
    });
  });

  it('accepts a same-status transition without calling onTransition; a new message is sent throttled', () => {
    const { hub, events, transitions } = setup();
    hub.register(upload({ status: 'running' }));
    expect(hub.transition('u1', 'running')).toBe(true);
    expect(events).toHaveLength(1);
    expect(hub.transition('u1', 'running', { message: 'retrying chunk' })).toBe(true);
    vi.advanceTimersByTime(100);
    expect(events.map((e) => [e.status, e.message])).toEqual([
      ['running', undefined],
      ['running', 'retrying chunk'],
    ]);
    expect(transitions).toEqual([]);
  });

  it('takes the bytes a change came with into its one event; a lower offset or a finished upload keeps its own', () => {
    const { hub, events } = setup();
    hub.register(upload({ status: 'running' }));
    hub.advance('u1', 400);
    vi.advanceTimersByTime(200);
    expect(hub.transition('u1', 'running', { offset: 300 })).toBe(true);
    vi.advanceTimersByTime(200);
    expect(hub.transition('u1', 'completed', { offset: 1000 })).toBe(true);
    expect(events.map((e) => [e.status, e.offset])).toEqual([
      ['running', 0],
      ['running', 400],
      ['completed', 1000],
    ]);
    expect(hub.transition('u1', 'completed', { offset: 2000 })).toBe(false);
    expect(hub.get('u1')?.offset).toBe(1000);
    expect(() => hub.transition('u1', 'failed', { offset: -1 })).toThrow();
  });

  it('calls onTransition once per accepted change, in order, and before subscribers see it', () => {
    const order: string[] = [];
    const { hub } = setup({ onTransition: (_id, status) => order.push(`persist ${status}`) });
    hub.subscribe((e) => order.push(`see ${e.status}`));
    hub.register(upload());
    for (const status of ['running', 'paused', 'running', 'completed'] as const) hub.transition('u1', status);
    expect(order).toEqual([
      'see created',
      'persist running',
      'see running',
      'persist paused',
      'see paused',
      'persist running',
      'see running',
      'persist completed',
      'see completed',
    ]);
  });

  it('passes onTransition the emitted event itself', () => {
    const { hub, events, transitions } = setup();
    hub.register(upload());
    hub.transition('u1', 'expired');
    expect(transitions).toEqual([{ uploadId: 'u1', status: 'expired', event: events[1] }]);
  });
});

describe('speed and ETA', () => {
  /** Stores `bytesPerSecond` for `ms`, one advance every 50 ms. */
  function stream(hub: ProgressHub, id: string, from: number, bytesPerSecond: number, ms: number): number {
    let offset = from;
    for (let t = 0; t < ms; t += 50) {
      vi.advanceTimersByTime(50);
      offset += bytesPerSecond / 20;
      hub.advance(id, offset);
    }
    return offset;
  }

  it('reports the smoothed rate and remaining / rate while running, and 0 / null when paused', () => {
    const { hub, events } = setup();
    hub.register(upload({ length: 10_000_000 }));
    const offset = stream(hub, 'u1', 0, 1_000_000, 3000);
    vi.advanceTimersByTime(100);
    const last = hub.get('u1')!;
    expect(last.offset).toBe(offset);
    expect(last.bytesPerSecond).toBeGreaterThan(0.95e6);
    expect(last.bytesPerSecond).toBeLessThanOrEqual(1e6);
    expect(last.etaSeconds).toBeCloseTo((10_000_000 - offset) / last.bytesPerSecond, 0);
    hub.transition('u1', 'paused');
    expect(events.at(-1)).toMatchObject({ bytesPerSecond: 0, etaSeconds: null });
  });

  it('has a rate but no ETA while the length is unknown, until setLength', () => {
    const { hub } = setup();
    hub.register(upload({ length: null, source: 'multipart' }));
    stream(hub, 'u1', 0, 100_000, 1000);
    expect(hub.get('u1')).toMatchObject({ etaSeconds: null, progress: null });
    expect(hub.get('u1')!.bytesPerSecond).toBeGreaterThan(0);
    hub.setLength('u1', 1_000_000);
    vi.advanceTimersByTime(100);
    expect(hub.get('u1')!.etaSeconds).toBeGreaterThan(0);
    expect(hub.get('u1')!.progress).toBeCloseTo(0.1, 6);
  });

  it('starts a fresh rate on resume, so time spent paused does not drag it down', () => {
    const { hub } = setup();
    hub.register(upload({ length: 100_000_000 }));
    const offset = stream(hub, 'u1', 0, 1_000_000, 2000);
    hub.transition('u1', 'paused');
    vi.advanceTimersByTime(60_000);
    stream(hub, 'u1', offset, 1_000_000, 1000);
    expect(hub.get('u1')!.bytesPerSecond).toBeGreaterThan(0.95e6);
  });

  it('re-sends a decaying rate while a running upload stalls, then goes quiet', () => {
    const { hub, events } = setup();
    hub.register(upload({ length: 100_000_000 }));
    stream(hub, 'u1', 0, 1_000_000, 2000);
    vi.advanceTimersByTime(100);
    const before = events.length;
    const rate = hub.get('u1')!.bytesPerSecond;
    vi.advanceTimersByTime(2000);
    expect(events.length - before).toBe(2);
    expect(hub.get('u1')!.bytesPerSecond).toBeCloseTo(rate / 2, -3);
    vi.advanceTimersByTime(120_000);
    expect(hub.get('u1')).toMatchObject({ status: 'running', bytesPerSecond: 0, etaSeconds: null });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not re-send on a stall when idleRefreshMs is Infinity', () => {
    const { hub, events } = setup({ idleRefreshMs: Infinity });
    hub.register(upload({ length: 100_000_000 }));
    stream(hub, 'u1', 0, 1_000_000, 1000);
    vi.advanceTimersByTime(100);
    const count = events.length;
    vi.advanceTimersByTime(10_000);
    expect(events).toHaveLength(count);
  });
});
