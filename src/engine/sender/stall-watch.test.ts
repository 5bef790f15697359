import { describe, expect, it } from 'vitest';
import { StallError } from './sender-errors';
import { withStallWatch } from './stall-watch';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Work that touches every `everyMs` for `forMs`, then waits without a touch until its signal aborts. */
const touching =
  (everyMs: number, forMs: number) =>
  async (signal: AbortSignal, touch: () => void): Promise<never> => {
    for (let spent = 0; spent < forMs; spent += everyMs) {
      await wait(everyMs);
      touch();
    }
    signal.throwIfAborted();
    return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
  };

describe('withStallWatch', () => {
  it('lets work that keeps touching run past the timeout, and stops it once the touches stop', async () => {
    const started = performance.now();
    const run = withStallWatch(80, new AbortController().signal, touching(20, 240));
    await expect(run).rejects.toBeInstanceOf(StallError);
    const took = performance.now() - started;
    // The last touch came at about 240 ms: the stall is counted from there, not from the start.
    expect(took).toBeGreaterThanOrEqual(300);
    expect(took).toBeLessThan(1_000);
  });

  it('returns what the work returns, and passes on the outer abort', async () => {
    await expect(
      withStallWatch(1_000, new AbortController().signal, async (_signal, touch) => (touch(), 'done')),
    ).resolves.toBe('done');
    const outer = new AbortController();
    const run = withStallWatch(1_000, outer.signal, touching(10, 50));
    setTimeout(() => outer.abort(new Error('closed')), 20);
    await expect(run).rejects.toThrow('closed');
  });
});
