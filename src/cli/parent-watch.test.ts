import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { startedByNpm, watchParent } from './parent-watch';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

it('calls back once when the parent changes, not before', () => {
  let parent = 100;
  const onLost = vi.fn();
  watchParent(onLost, { intervalMs: 500, parentPid: () => parent });
  vi.advanceTimersByTime(2000);
  expect(onLost).not.toHaveBeenCalled();
  parent = 1;
  vi.advanceTimersByTime(500);
  vi.advanceTimersByTime(5000);
  expect(onLost).toHaveBeenCalledTimes(1);
});

it('stops watching when asked', () => {
  let parent = 100;
  const onLost = vi.fn();
  const stop = watchParent(onLost, { intervalMs: 500, parentPid: () => parent });
  stop();
  parent = 1;
  vi.advanceTimersByTime(5000);
  expect(onLost).not.toHaveBeenCalled();
});

it('knows when npm started the process', () => {
  expect(startedByNpm({ npm_lifecycle_event: 'serve' })).toBe(true);
  expect(startedByNpm({})).toBe(false);
});
