import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPowerBlockerController } from './power-blocker';

function fakeBlocker() {
  let next = 1;
  const live = new Set<number>();
  const log: string[] = [];
  return {
    live,
    log,
    start: () => {
      const id = next++;
      live.add(id);
      log.push(`start ${id}`);
      return id;
    },
    stop: (id: number) => {
      if (!live.delete(id)) throw new Error(`stop of unknown id ${id}`);
      log.push(`stop ${id}`);
    },
  };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('power blocker', () => {
  it('holds while bytes move, once, and releases when the last job ends', () => {
    const blocker = fakeBlocker();
    const power = createPowerBlockerController(blocker);
    power.update({ acknowledged: 0, active: 1 });
    expect(power.holding).toBe(false);
    for (let bytes = 100; bytes <= 1000; bytes += 100) {
      power.update({ acknowledged: bytes, active: 1 });
      vi.advanceTimersByTime(100);
    }
    expect(blocker.log).toEqual(['start 1']);
    power.update({ acknowledged: 1000, active: 0 });
    expect(power.holding).toBe(false);
    expect(blocker.log).toEqual(['start 1', 'stop 1']);
  });

  it('releases after 2 s without a byte though a job is still active (stalled, offline)', () => {
    const blocker = fakeBlocker();
    const power = createPowerBlockerController(blocker);
    power.update({ acknowledged: 0, active: 2 });
    power.update({ acknowledged: 10, active: 2 });
    vi.advanceTimersByTime(1_900);
    power.update({ acknowledged: 10, active: 2 });
    expect(power.holding).toBe(true);
    vi.advanceTimersByTime(100);
    expect(power.holding).toBe(false);
    expect(blocker.live.size).toBe(0);
    // Bytes again: a new hold.
    power.update({ acknowledged: 20, active: 2 });
    expect(blocker.log).toEqual(['start 1', 'stop 1', 'start 2']);
  });

  it('each new byte pushes the idle release back', () => {
    const blocker = fakeBlocker();
    const power = createPowerBlockerController(blocker);
    power.update({ acknowledged: 0, active: 1 });
    for (let step = 1; step <= 10; step++) {
      vi.advanceTimersByTime(1_500);
      power.update({ acknowledged: step, active: 1 });
    }
    expect(blocker.log).toEqual(['start 1']);
  });

  it('never holds for an active job that moves no bytes, nor for bytes with no active job', () => {
    const blocker = fakeBlocker();
    const power = createPowerBlockerController(blocker);
    power.update({ acknowledged: 5, active: 3 });
    power.update({ acknowledged: 5, active: 3 });
    power.update({ acknowledged: 50, active: 0 });
    expect(blocker.log).toEqual([]);
  });

  it('a queue cleared to fewer bytes is no movement; dispose always stops and ends it for good', () => {
    const blocker = fakeBlocker();
    const power = createPowerBlockerController(blocker);
    power.update({ acknowledged: 100, active: 1 });
    power.update({ acknowledged: 10, active: 1 });
    expect(power.holding).toBe(false);
    power.update({ acknowledged: 20, active: 1 });
    expect(power.holding).toBe(true);
    power.dispose();
    power.dispose();
    power.update({ acknowledged: 30, active: 1 });
    expect(blocker.log).toEqual(['start 1', 'stop 1']);
    vi.advanceTimersByTime(10_000);
    expect(blocker.live.size).toBe(0);
  });
});
