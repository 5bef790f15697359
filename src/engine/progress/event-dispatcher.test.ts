import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../shared/progress-event';
import { createEventDispatcher } from './event-dispatcher';

const event = (seq: number, status: ProgressEvent['status'] = 'running'): ProgressEvent => ({
  type: 'progress',
  uploadId: 'u',
  seq,
  status,
  offset: seq,
  length: null,
  progress: null,
  bytesPerSecond: 0,
  etaSeconds: null,
  timestamp: '2025-01-01T00:00:00.000Z',
  context: { filename: 'f', source: 'tus' },
});

describe('createEventDispatcher', () => {
  it('calls onTransition first, and only for transitions, then subscribers in order', () => {
    const log: string[] = [];
    const d = createEventDispatcher({ onTransition: (_id, status, e) => log.push(`t:${status}:${e.seq}`) });
    d.subscribe((e) => log.push(`a:${e.seq}`));
    d.subscribe((e) => log.push(`b:${e.seq}`));
    d.deliver(event(0), false);
    d.deliver(event(1, 'paused'), true);
    expect(log).toEqual(['a:0', 'b:0', 't:paused:1', 'a:1', 'b:1']);
  });

  it('queues deliveries made from inside a listener, so every listener sees one order', () => {
    const d = createEventDispatcher();
    const first: number[] = [];
    const second: number[] = [];
    d.subscribe((e) => {
      first.push(e.seq);
      if (e.seq === 0) d.deliver(event(1), false);
    });
    d.subscribe((e) => second.push(e.seq));
    d.deliver(event(0), false);
    expect(first).toEqual([0, 1]);
    expect(second).toEqual([0, 1]);
  });

  it('holds deliveries until the outermost batch returns, even when it throws', () => {
    const d = createEventDispatcher();
    const seen: number[] = [];
    d.subscribe((e) => seen.push(e.seq));
    const result = d.batch(() => {
      d.deliver(event(0), false);
      d.batch(() => d.deliver(event(1), false));
      expect(seen).toEqual([]);
      return 'done';
    });
    expect(result).toBe('done');
    expect(seen).toEqual([0, 1]);
    expect(() =>
      d.batch(() => {
        d.deliver(event(2), false);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(seen).toEqual([0, 1, 2]);
  });

  it('gives a subscriber added mid-dispatch only later deliveries, and honours unsubscribe mid-dispatch', () => {
    const d = createEventDispatcher();
    const late: number[] = [];
    const early: number[] = [];
    const stop = d.subscribe((e) => {
      early.push(e.seq);
      if (e.seq === 0) {
        d.deliver(event(1), false);
        d.subscribe((x) => late.push(x.seq));
        d.deliver(event(2), false);
      }
      if (e.seq === 1) stop();
    });
    d.deliver(event(0), false);
    expect(early).toEqual([0, 1]);
    expect(late).toEqual([2]);
  });

  it('reports what listeners throw and keeps going, even if the reporter throws too', () => {
    const reported: unknown[] = [];
    const d = createEventDispatcher({
      onTransition: () => {
        throw new Error('persist');
      },
      onListenerError: (error) => {
        reported.push((error as Error).message);
        throw new Error('reporter');
      },
    });
    const seen: number[] = [];
    d.subscribe(() => {
      throw new Error('listener');
    });
    d.subscribe((e) => seen.push(e.seq));
    d.deliver(event(0, 'paused'), true);
    d.deliver(event(1), false);
    expect(seen).toEqual([0, 1]);
    expect(reported).toEqual(['persist', 'listener', 'listener']);
  });

  it('clear() drops subscribers and whatever is still queued', () => {
    const d = createEventDispatcher();
    const seen: number[] = [];
    d.subscribe((e) => {
      seen.push(e.seq);
      d.deliver(event(e.seq + 1), false);
      d.clear();
    });
    d.deliver(event(0), false);
    d.deliver(event(5), false);
    expect(seen).toEqual([0]);
  });
});
