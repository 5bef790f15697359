import { expect, it, vi } from 'vitest';
import { setup, upload, useHubTestClock } from '../../../test/support/progress-hub-test-support';

useHubTestClock();

it('resumeAt moves a running upload to the stored offset without counting those bytes as speed', () => {
  const { hub, events } = setup();
  hub.register(upload({ length: 10_000_000, status: 'running' }));
  vi.advanceTimersByTime(100);
  hub.resumeAt('u1', 8_000_000);
  vi.advanceTimersByTime(1000);
  hub.advance('u1', 8_001_000);
  vi.advanceTimersByTime(1000);
  const running = events.filter((event) => event.status === 'running');
  // (An idle refresh may repeat the last offset.)
  expect([...new Set(running.map((event) => event.offset))]).toEqual([0, 8_000_000, 8_001_000]);
  // 1000 bytes in the 1.1 s since the estimate began, not 8 MB in a tenth of a second.
  expect(Math.max(...running.map((event) => event.bytesPerSecond))).toBeLessThan(2000);
  expect(running.at(-1)!.bytesPerSecond).toBeGreaterThan(0);
});

it('resumeAt ignores offsets that do not grow and ids it does not know, and starts a paused upload like advance', () => {
  const { hub, events } = setup();
  hub.register(upload({ offset: 500, status: 'running' }));
  hub.resumeAt('u1', 400);
  hub.resumeAt('nope', 900);
  vi.advanceTimersByTime(5000);
  expect(events.map((event) => [event.status, event.offset])).toEqual([['running', 500]]);
  hub.transition('u1', 'paused');
  hub.resumeAt('u1', 700);
  expect(events.map((event) => [event.status, event.offset]).slice(1)).toEqual([
    ['paused', 500],
    ['running', 700],
  ]);
});
