import { describe, expect, it, vi } from 'vitest';
import { attemptOf, setup, upload, useHubTestClock } from '../../../test/support/progress-hub-test-support';

useHubTestClock();

// An upload started over (its stored copy gone, its source changed, a finished one checked again):
// the stream says so with a new attempt, seq keeps counting, and the offset may start again from zero.

describe('restart', () => {
  it('opens a second attempt at offset 0 with a created event, seq continuing, and the bar following it', () => {
    const { hub, events, transitions } = setup();
    hub.register(upload());
    hub.transition('u1', 'running');
    hub.advance('u1', 600);
    vi.advanceTimersByTime(200);
    hub.restart({ ...upload(), message: 'Starting over', errorCode: 'HTTP_404' });
    hub.transition('u1', 'running');
    hub.advance('u1', 100);
    vi.advanceTimersByTime(200);
    expect(events.map((e) => [e.seq, e.status, e.offset, attemptOf(e)])).toEqual([
      [0, 'created', 0, 1],
      [1, 'running', 0, 1],
      [2, 'running', 600, 1],
      [3, 'created', 0, 2],
      [4, 'running', 0, 2],
      [5, 'running', 100, 2],
    ]);
    expect(events[3]).toMatchObject({
      message: 'Starting over',
      errorCode: 'HTTP_404',
      context: { filename: 'a.bin', source: 'tus', attempt: 2 },
    });
    // The restart is a status change: onTransition hears it.
    expect(transitions.map((t) => t.status)).toEqual(['running', 'created', 'running']);
  });

  it('delivers what the old attempt still owed before the restart event', () => {
    const { hub, events } = setup();
    hub.register(upload());
    hub.transition('u1', 'running');
    // Inside the throttle window: 300 waits for the trailing flush when the restart comes.
    hub.advance('u1', 300);
    hub.restart(upload());
    expect(events.map((e) => [e.status, e.offset, attemptOf(e)])).toEqual([
      ['created', 0, 1],
      ['running', 0, 1],
      ['running', 300, 1],
      ['created', 0, 2],
    ]);
  });

  it('takes a new length, which a running upload could not change', () => {
    const { hub, events } = setup();
    hub.register(upload({ length: 1000 }));
    hub.restart(upload({ length: 4000 }));
    hub.advance('u1', 2000);
    expect(events.at(-1)).toMatchObject({ status: 'running', offset: 2000, length: 4000, progress: 0.5 });
  });

  it('runs a finished upload again as a new attempt, and keeps it past the old retention', () => {
    const { hub, events } = setup({ retainTerminalMs: 1000 });
    hub.register(upload());
    hub.transition('u1', 'completed');
    hub.restart(upload({ offset: 1000 }));
    vi.advanceTimersByTime(5000);
    expect(hub.get('u1')).toMatchObject({ status: 'created', offset: 1000, seq: 2, context: { attempt: 2 } });
    hub.transition('u1', 'running');
    hub.transition('u1', 'completed');
    expect(events.map((e) => [e.seq, e.status, attemptOf(e)])).toEqual([
      [0, 'created', 1],
      [1, 'completed', 1],
      [2, 'created', 2],
      [3, 'running', 2],
      [4, 'completed', 2],
    ]);
  });

  it('registers an upload it does not know, as the first attempt', () => {
    const { hub, events } = setup();
    hub.restart(upload({ offset: 10 }));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ seq: 0, status: 'created', offset: 10 });
    expect(events[0]!.context).not.toHaveProperty('attempt');
  });
});
