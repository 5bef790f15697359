import { describe, expect, it, vi } from 'vitest';
import { isTerminal, type ProgressEvent } from '../../shared/progress-event';
import { record, setup, upload, at, codeOf, useHubTestClock } from '../../../test/support/progress-hub-test-support';

useHubTestClock();

describe('setLength', () => {
  it('sets a deferred length once; the same value is a no-op and a different one is refused', () => {
    const { hub, events } = setup();
    hub.register(upload({ length: null, offset: 50 }));
    vi.advanceTimersByTime(500);
    hub.setLength('u1', 200);
    hub.setLength('u1', 200);
    expect(events.map((e) => e.progress)).toEqual([null, 0.25]);
    expect(codeOf(() => hub.setLength('u1', 300))).toBe('PROGRESS_LENGTH_CONFLICT');
    expect(codeOf(() => hub.setLength('u1', -3))).toBe('PROGRESS_INVALID_ARGUMENT');
  });
});

describe('subscribers', () => {
  it('keeps delivering to everyone when a listener or onTransition throws', () => {
    const { hub, events, errors } = setup({
      onTransition: () => {
        throw new Error('persist failed');
      },
    });
    hub.subscribe(() => {
      throw new Error('bad listener');
    });
    const later = record(hub);
    hub.register(upload());
    hub.advance('u1', 10);
    hub.transition('u1', 'completed');
    expect(events.map((e) => e.status)).toEqual(['created', 'running', 'completed']);
    expect(later).toEqual(events);
    expect(errors.map((e) => (e as Error).message)).toEqual([
      'bad listener',
      'persist failed',
      'bad listener',
      'persist failed',
      'bad listener',
    ]);
  });

  it('hands out frozen events, so one listener cannot change what the others see', () => {
    const { hub, events, errors } = setup();
    hub.subscribe((e) => {
      (e as { offset: number }).offset = 999;
    });
    hub.register(upload());
    expect(errors).toHaveLength(1);
    expect(events[0]!.offset).toBe(0);
    expect(hub.get('u1')!.offset).toBe(0);
  });

  it('keeps every listener in the same order when one calls back into the hub', () => {
    const { hub, events } = setup();
    hub.subscribe((e) => {
      if (e.status === 'running') hub.transition(e.uploadId, 'paused');
    });
    const last = record(hub);
    hub.register(upload());
    hub.transition('u1', 'running');
    expect(last.map((e) => e.status)).toEqual(['created', 'running', 'paused']);
    expect(events.map((e) => e.status)).toEqual(['created', 'running', 'paused']);
  });

  it('runs listeners only after a change is complete, so one that forgets an upload leaves no timer', () => {
    const { hub } = setup();
    hub.register(upload({ status: 'running' }));
    vi.advanceTimersByTime(500);
    hub.subscribe((e) => hub.forget(e.uploadId));
    hub.advance('u1', 100);
    expect(hub.snapshot()).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives a listener added mid-dispatch only later events, so snapshot() + subscribe() has no duplicates', () => {
    const { hub } = setup();
    let late: ProgressEvent[] = [];
    hub.subscribe((e) => {
      if (e.seq !== 0 || late.length) return;
      late = [...hub.snapshot()];
      hub.subscribe((next) => late.push(next));
    });
    hub.register(upload());
    hub.advance('u1', 5);
    expect(late.map((e) => e.seq)).toEqual([0, 1]);
  });
});

describe('snapshot, retention, forget and close', () => {
  it('lists the latest event per upload and keeps finished ones for retainTerminalMs', () => {
    const { hub } = setup({ retainTerminalMs: 5000 });
    hub.register(upload({ uploadId: 'a' }));
    hub.register(upload({ uploadId: 'b' }));
    hub.transition('b', 'terminated');
    vi.advanceTimersByTime(4999);
    expect(hub.snapshot().map((e) => [e.uploadId, e.status])).toEqual([
      ['a', 'created'],
      ['b', 'terminated'],
    ]);
    vi.advanceTimersByTime(1);
    expect(hub.snapshot().map((e) => e.uploadId)).toEqual(['a']);
    expect(hub.get('b')).toBeUndefined();
  });

  it('drops finished uploads at once with retainTerminalMs 0, and never with Infinity', () => {
    const zero = setup({ retainTerminalMs: 0 }).hub;
    const forever = setup({ retainTerminalMs: Infinity }).hub;
    for (const hub of [zero, forever]) {
      hub.register(upload());
      hub.transition('u1', 'failed');
    }
    vi.advanceTimersByTime(365 * 24 * 3_600_000);
    expect(zero.snapshot()).toEqual([]);
    expect(forever.snapshot().map((e) => e.status)).toEqual(['failed']);
  });

  it('forget drops an upload and its pending update', () => {
    const { hub, events } = setup();
    hub.register(upload({ status: 'running' }));
    hub.advance('u1', 10);
    hub.forget('u1');
    vi.advanceTimersByTime(1000);
    expect(events).toHaveLength(1);
    expect(hub.snapshot()).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close clears every timer and makes the hub inert', () => {
    const { hub, events } = setup();
    for (let i = 0; i < 20; i++) {
      hub.register(upload({ uploadId: `u${i}`, status: 'running' }));
      vi.advanceTimersByTime(50);
      hub.advance(`u${i}`, 10);
      hub.advance(`u${i}`, 20);
      if (i % 2) hub.transition(`u${i}`, 'completed');
    }
    expect(vi.getTimerCount()).toBeGreaterThan(10);
    const count = events.length;
    hub.close();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    hub.advance('u0', 500);
    expect(hub.transition('u0', 'paused')).toBe(false);
    expect(events).toHaveLength(count);
    expect(hub.snapshot()).toEqual([]);
    expect(codeOf(() => hub.register(upload()))).toBe('PROGRESS_HUB_CLOSED');
  });
});

describe('many uploads and subscribers at once', () => {
  it('keeps every guarantee for 200 uploads and 20 subscribers under random load', () => {
    let seed = 42;
    // xorshift32: a fixed sequence, so a failure always reproduces.
    const random = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 2 ** 32;
    };
    const { hub, events } = setup();
    const others = Array.from({ length: 19 }, () => record(hub));
    const ids = Array.from({ length: 200 }, (_, i) => `up-${i}`);
    const offsets = new Map(ids.map((id) => [id, 0]));
    for (const id of ids)
      hub.register(upload({ uploadId: id, length: 1_000_000, source: random() < 0.5 ? 'tus' : 'multipart' }));
    for (let step = 0; step < 4000; step++) {
      vi.advanceTimersByTime(Math.floor(random() * 5));
      const id = ids[Math.floor(random() * ids.length)]!;
      const roll = random();
      if (roll < 0.9) {
        // Sometimes report a stale, smaller offset: it must be ignored.
        const next = offsets.get(id)! + Math.floor(random() * 20_000) - 2000;
        hub.advance(id, Math.max(0, next));
        offsets.set(id, Math.max(offsets.get(id)!, next));
      } else if (roll < 0.97) hub.transition(id, 'paused');
      else hub.transition(id, (['completed', 'failed', 'terminated'] as const)[Math.floor(random() * 3)]!);
    }
    for (const id of ids) hub.transition(id, 'completed');
    vi.advanceTimersByTime(10_000);

    expect(events.length).toBeGreaterThan(2000);
    for (const stream of others) {
      expect(stream).toHaveLength(events.length);
      expect(stream.every((e, i) => e === events[i])).toBe(true);
    }
    const byUpload = new Map<string, ProgressEvent[]>();
    for (const e of events) {
      const list = byUpload.get(e.uploadId) ?? [];
      list.push(e);
      byUpload.set(e.uploadId, list);
    }
    const gaps: number[] = [];
    for (const id of ids) {
      const mine = byUpload.get(id)!;
      expect(isTerminal(mine.at(-1)!.status)).toBe(true);
      // Offset-only events keep the 10 Hz spacing unless a status change flushed them early.
      mine.forEach((e, i) => {
        const prev = mine[i - 1];
        const next = mine[i + 1];
        const flushed = next !== undefined && next.status !== e.status && at(next) === at(e);
        if (prev && prev.status === e.status && !flushed) gaps.push(at(e) - at(prev));
      });
    }
    expect(gaps.length).toBeGreaterThan(100);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100);
    expect(hub.snapshot()).toHaveLength(200);
  });
});
