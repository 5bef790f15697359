import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBandwidthLimiter, throttledBody } from './bandwidth-limiter';

const KiB = 1024;
const MiB = 1024 * KiB;

// Fake timers drive both the limiter's sleeps and its clock, so seconds of traffic run in milliseconds.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const clock = () => Date.now();

/** Keeps taking `slice` bytes in a loop and records the total granted. */
function greedySender(limiter: ReturnType<typeof createBandwidthLimiter>, slice: number, signal?: AbortSignal) {
  const state = { granted: 0, stopped: false };
  void (async () => {
    while (!state.stopped) {
      try {
        await limiter.take(slice, signal);
      } catch {
        return;
      }
      state.granted += slice;
    }
  })();
  return state;
}

describe('createBandwidthLimiter', () => {
  it('holds the rate over 10 s for one sender, within one burst', async () => {
    const limiter = createBandwidthLimiter(2 * MiB, clock);
    const sender = greedySender(limiter, 64 * KiB);
    await vi.advanceTimersByTimeAsync(10_000);
    sender.stopped = true;
    const burst = (2 * MiB) / 10;
    expect(sender.granted).toBeGreaterThanOrEqual(20 * MiB * 0.97);
    expect(sender.granted).toBeLessThanOrEqual(20 * MiB + burst + 64 * KiB);
  });

  it('shares one budget between senders, and none of them starves', async () => {
    const limiter = createBandwidthLimiter(1 * MiB, clock);
    const senders = [greedySender(limiter, 64 * KiB), greedySender(limiter, 16 * KiB), greedySender(limiter, 64 * KiB)];
    await vi.advanceTimersByTimeAsync(10_000);
    for (const sender of senders) sender.stopped = true;
    const total = senders.reduce((sum, sender) => sum + sender.granted, 0);
    expect(total).toBeGreaterThanOrEqual(10 * MiB * 0.97);
    expect(total).toBeLessThanOrEqual(10 * MiB + 200 * KiB);
    for (const sender of senders) expect(sender.granted).toBeGreaterThan(MiB);
  });

  it('does not bank unused time: after an idle minute only one burst goes out at once', async () => {
    const limiter = createBandwidthLimiter(1 * MiB, clock);
    await vi.advanceTimersByTimeAsync(60_000);
    const sender = greedySender(limiter, 16 * KiB);
    await vi.advanceTimersByTimeAsync(0);
    sender.stopped = true;
    expect(sender.granted).toBeLessThanOrEqual((1 * MiB) / 10 + 16 * KiB);
  });

  it('charges a take larger than the burst as debt, so the average still holds', async () => {
    const limiter = createBandwidthLimiter(1 * MiB, clock);
    await vi.advanceTimersByTimeAsync(1_000);
    let done = false;
    await limiter.take(4 * MiB);
    void limiter.take(1 * KiB).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(3_500);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(done).toBe(true);
  });

  it('applies a new rate to a take that is already waiting', async () => {
    const limiter = createBandwidthLimiter(1 * KiB, clock);
    let done = false;
    // At 1 KiB/s a 64 KiB take needs about 64 s.
    void limiter.take(64 * KiB).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(done).toBe(false);
    limiter.setRate(10 * MiB);
    expect(limiter.rate).toBe(10 * MiB);
    await vi.advanceTimersByTimeAsync(150);
    expect(done).toBe(true);
  });

  it('follows a lower rate set mid-stream', async () => {
    const limiter = createBandwidthLimiter(4 * MiB, clock);
    const sender = greedySender(limiter, 64 * KiB);
    await vi.advanceTimersByTimeAsync(5_000);
    limiter.setRate(1 * MiB);
    const before = sender.granted;
    await vi.advanceTimersByTimeAsync(10_000);
    sender.stopped = true;
    const after = sender.granted - before;
    expect(after).toBeGreaterThanOrEqual(10 * MiB * 0.95);
    expect(after).toBeLessThanOrEqual(10 * MiB * 1.05);
  });

  it('null removes the limit, for waiting takes and new ones', async () => {
    const limiter = createBandwidthLimiter(1 * KiB, clock);
    let waiting = false;
    void limiter.take(64 * KiB).then(() => (waiting = true));
    await vi.advanceTimersByTimeAsync(500);
    limiter.setRate(null);
    expect(limiter.rate).toBeNull();
    await vi.advanceTimersByTimeAsync(150);
    expect(waiting).toBe(true);
    // Unlimited: takes resolve without any time passing.
    let count = 0;
    for (let i = 0; i < 100; i++) void limiter.take(8 * MiB).then(() => count++);
    await vi.advanceTimersByTimeAsync(0);
    expect(count).toBe(100);
  });

  it('starts unlimited with null and can be limited later', async () => {
    const limiter = createBandwidthLimiter(null, clock);
    await limiter.take(100 * MiB);
    limiter.setRate(1 * MiB);
    const sender = greedySender(limiter, 64 * KiB);
    await vi.advanceTimersByTimeAsync(5_000);
    sender.stopped = true;
    expect(sender.granted).toBeLessThanOrEqual(5 * MiB + 200 * KiB);
    expect(sender.granted).toBeGreaterThanOrEqual(5 * MiB * 0.95);
  });

  it('rejects a waiting take when its signal aborts, without blocking the next caller', async () => {
    const limiter = createBandwidthLimiter(1 * KiB, clock);
    const controller = new AbortController();
    const aborted = limiter.take(64 * KiB, controller.signal);
    const outcome = aborted.then(
      () => 'granted',
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort(new Error('paused'));
    await vi.advanceTimersByTimeAsync(150);
    expect(await outcome).toEqual(new Error('paused'));
    limiter.setRate(null);
    await expect(limiter.take(1)).resolves.toBeUndefined();
  });
});

describe('throttledBody', () => {
  it('streams the buffer unchanged at the limiter rate', async () => {
    const limiter = createBandwidthLimiter(1 * MiB, clock);
    const data = Buffer.alloc(3 * MiB, 7);
    data.writeUInt32BE(0xdeadbeef, 2 * MiB);
    const body = throttledBody(data, limiter);
    const received: Buffer[] = [];
    body.on('data', (chunk: Buffer) => received.push(chunk));
    const ended = new Promise((resolve) => body.once('end', resolve));
    await vi.advanceTimersByTimeAsync(1_000);
    const afterOneSecond = received.reduce((sum, chunk) => sum + chunk.length, 0);
    expect(afterOneSecond).toBeGreaterThan(0.8 * MiB);
    expect(afterOneSecond).toBeLessThan(1.3 * MiB);
    await vi.advanceTimersByTimeAsync(2_500);
    await ended;
    expect(Buffer.concat(received).equals(data)).toBe(true);
  });
});
