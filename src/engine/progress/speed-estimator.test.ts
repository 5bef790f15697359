import { describe, expect, it } from 'vitest';
import { FerryError } from '../errors';
import { createSpeedEstimator } from './speed-estimator';

/** A hand-driven clock, so every assertion is exact and instant. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, tick: (ms: number) => (t += ms), at: () => t };
}

/** Feeds a constant rate in evenly spaced samples, starting from `bytes`. */
function feed(
  est: ReturnType<typeof createSpeedEstimator>,
  c: ReturnType<typeof clock>,
  opts: { bytes: number; bytesPerSecond: number; forMs: number; everyMs: number },
): number {
  let bytes = opts.bytes;
  for (let elapsed = 0; elapsed < opts.forMs; elapsed += opts.everyMs) {
    c.tick(opts.everyMs);
    bytes += (opts.bytesPerSecond * opts.everyMs) / 1000;
    est.sample(bytes);
  }
  return bytes;
}

describe('createSpeedEstimator', () => {
  it('has no rate and no ETA before two samples', () => {
    const c = clock();
    const est = createSpeedEstimator({ now: c.now });
    expect(est.bytesPerSecond()).toBe(0);
    expect(est.etaSeconds(1000)).toBeNull();
    est.sample(0);
    c.tick(500);
    expect(est.bytesPerSecond()).toBe(0);
    expect(est.etaSeconds(1000)).toBeNull();
  });

  it('skips bytes that joined the total without moving: the rate counts only what came after them', () => {
    const c = clock();
    const est = createSpeedEstimator({ now: c.now });
    est.sample(0);
    // A resume learns that 10 MB were stored before; 1000 bytes then arrive in the next second.
    est.skip(10_000_000);
    c.tick(1000);
    est.sample(10_001_000);
    expect(est.bytesPerSecond()).toBe(1000);
    // Nothing to skip before the first sample, and no negative or non-finite skip.
    const fresh = createSpeedEstimator({ now: c.now });
    fresh.skip(500);
    fresh.sample(500);
    fresh.skip(-100);
    fresh.skip(Number.NaN);
    c.tick(1000);
    fresh.sample(1500);
    expect(fresh.bytesPerSecond()).toBe(1000);
  });

  it('reports a steady rate exactly and its ETA as remaining / rate', () => {
    const c = clock();
    const est = createSpeedEstimator({ now: c.now });
    est.sample(0);
    feed(est, c, { bytes: 0, bytesPerSecond: 1_000_000, forMs: 5000, everyMs: 100 });
    expect(est.bytesPerSecond()).toBeCloseTo(1_000_000, 3);
    expect(est.etaSeconds(3_000_000)).toBeCloseTo(3, 6);
  });

  it('weights by time: after one half-life at a new rate it sits halfway, whatever the sample spacing', () => {
    const results = [50, 250, 1000].map((everyMs) => {
      const c = clock();
      const est = createSpeedEstimator({ halfLifeMs: 2000, now: c.now });
      est.sample(0);
      const bytes = feed(est, c, { bytes: 0, bytesPerSecond: 1_000_000, forMs: 4000, everyMs });
      feed(est, c, { bytes, bytesPerSecond: 3_000_000, forMs: 2000, everyMs });
      return est.bytesPerSecond();
    });
    for (const rate of results) expect(rate).toBeCloseTo(2_000_000, 0);
  });

  it('averages since the first sample for one half-life, so a slow first interval does not hold the rate down', () => {
    const c = clock();
    const est = createSpeedEstimator({ halfLifeMs: 2000, now: c.now });
    est.sample(0);
    // 1 MB in the first 100 ms (a thread still starting), then 100 MB/s.
    c.tick(100);
    est.sample(1_000_000);
    expect(est.etaSeconds(85_000_000)).toBeCloseTo(8.5, 6);
    const bytes = feed(est, c, { bytes: 1_000_000, bytesPerSecond: 100_000_000, forMs: 500, everyMs: 100 });
    // 51 MB in 600 ms; seeded with the first interval alone, the average would read about 24 MB/s.
    expect(est.bytesPerSecond()).toBeCloseTo(bytes / 0.6, 3);
    // And the ETA is the one that rate gives, not one still smoothed from the first 8.5 s.
    expect(est.etaSeconds(85_000_000)).toBeCloseTo(1, 6);
    // From one half-life on it is the moving average, starting from the average so far.
    const later = feed(est, c, { bytes, bytesPerSecond: 100_000_000, forMs: 1400, everyMs: 100 });
    const averaged = est.bytesPerSecond();
    c.tick(100);
    est.sample(later + 20_000_000);
    const instant = 20_000_000 / 0.1;
    expect(est.bytesPerSecond()).toBeCloseTo(instant + (averaged - instant) * 0.5 ** (100 / 2000), 3);
  });

  it('honours a custom half-life', () => {
    const c = clock();
    const est = createSpeedEstimator({ halfLifeMs: 500, now: c.now });
    est.sample(0);
    const bytes = feed(est, c, { bytes: 0, bytesPerSecond: 1000, forMs: 2000, everyMs: 100 });
    feed(est, c, { bytes, bytesPerSecond: 0, forMs: 500, everyMs: 100 });
    expect(est.bytesPerSecond()).toBeCloseTo(500, 6);
  });

  it('decays toward 0 while no samples arrive, and reaches exactly 0 once stalled', () => {
    const c = clock();
    const est = createSpeedEstimator({ now: c.now });
    est.sample(0);
    feed(est, c, { bytes: 0, bytesPerSecond: 1_000_000, forMs: 3000, everyMs: 100 });
    c.tick(2000);
    expect(est.bytesPerSecond()).toBeCloseTo(500_000, 3);
    c.tick(2000);
    expect(est.bytesPerSecond()).toBeCloseTo(250_000, 3);
    c.tick(60_000);
    expect(est.bytesPerSecond()).toBe(0);
    expect(est.etaSeconds(10)).toBeNull();
  });

  it('decays the same way when samples keep arriving with an unchanged total', () => {
    const c = clock();
    const est = createSpeedEstimator({ now: c.now });
    est.sample(0);
    const bytes = feed(est, c, { bytes: 0, bytesPerSecond: 1_000_000, forMs: 3000, everyMs: 100 });
    feed(est, c, { bytes, bytesPerSecond: 0, forMs: 2000, everyMs: 100 });
    expect(est.bytesPerSecond()).toBeCloseTo(500_000, 3);
  });

  it('counts bytes sampled at the same instant toward the next interval instead of dividing by zero', () => {
    const c = clock();
    const est = createSpeedEstimator({ now: c.now });
    est.sample(0);
    c.tick(1000);
    est.sample(400);
    est.sample(1000);
    expect(est.bytesPerSecond()).toBe(400);
    c.tick(1000);
    est.sample(2000);
    const rate = est.bytesPerSecond();
    expect(Number.isFinite(rate)).toBe(true);
    // The second interval carried 1600 bytes: 600 from the same-instant sample plus 1000 new.
    expect(rate).toBeCloseTo(1600 + (400 - 1600) * 0.5 ** 0.5, 6);
  });

  it('takes explicit sample times instead of the clock', () => {
    const c = clock(0);
    const est = createSpeedEstimator({ now: c.now });
    est.sample(0, 0);
    est.sample(2000, 1000);
    c.tick(1000);
    expect(est.bytesPerSecond()).toBe(2000);
  });

  it('re-baselines on a shrinking total and never reports a negative rate', () => {
    const c = clock();
    const est = createSpeedEstimator({ now: c.now });
    est.sample(0);
    feed(est, c, { bytes: 0, bytesPerSecond: 10_000, forMs: 2000, everyMs: 100 });
    c.tick(100);
    est.sample(5);
    expect(est.bytesPerSecond()).toBeGreaterThanOrEqual(0);
    c.tick(1000);
    est.sample(10_005);
    expect(est.bytesPerSecond()).toBeGreaterThan(9000);
    expect(est.bytesPerSecond()).toBeLessThanOrEqual(10_000);
  });

  it('ignores non-finite input', () => {
    const c = clock();
    const est = createSpeedEstimator({ now: c.now });
    est.sample(0);
    c.tick(1000);
    est.sample(Number.NaN);
    est.sample(Infinity);
    est.sample(1000);
    expect(est.bytesPerSecond()).toBe(1000);
    expect(est.etaSeconds(Number.NaN)).toBeNull();
    expect(est.etaSeconds(Infinity)).toBeNull();
  });

  it('answers 0 seconds when nothing remains, even without a rate', () => {
    const est = createSpeedEstimator({ now: () => 0 });
    expect(est.etaSeconds(0)).toBe(0);
    expect(est.etaSeconds(-5)).toBe(0);
  });

  it('counts the ETA down in real time during a steady transfer', () => {
    const c = clock();
    const est = createSpeedEstimator({ now: c.now });
    const total = 10_000_000;
    est.sample(0);
    let sent = feed(est, c, { bytes: 0, bytesPerSecond: 1_000_000, forMs: 1000, everyMs: 100 });
    const first = est.etaSeconds(total - sent)!;
    sent = feed(est, c, { bytes: sent, bytesPerSecond: 1_000_000, forMs: 1000, everyMs: 100 });
    const second = est.etaSeconds(total - sent)!;
    expect(first).toBeCloseTo(9, 6);
    expect(first - second).toBeCloseTo(1, 6);
  });

  it('smooths the ETA: a sudden jump in rate moves it only part of the way', () => {
    const c = clock();
    const est = createSpeedEstimator({ now: c.now });
    const total = 100_000_000;
    est.sample(0);
    let sent = feed(est, c, { bytes: 0, bytesPerSecond: 1_000_000, forMs: 10_000, everyMs: 100 });
    const before = est.etaSeconds(total - sent)!;
    // A 200 ms burst at 50x the speed.
    sent = feed(est, c, { bytes: sent, bytesPerSecond: 50_000_000, forMs: 200, everyMs: 100 });
    const raw = (total - sent) / est.bytesPerSecond();
    const after = est.etaSeconds(total - sent)!;
    expect(after).toBeLessThan(before);
    expect(after).toBeGreaterThan(raw);
    // Without the second average the ETA would have dropped to `raw`.
    expect(after - raw).toBeGreaterThan((before - raw) * 0.9);
  });

  it('returns the same ETA when asked twice at the same instant', () => {
    const c = clock();
    const est = createSpeedEstimator({ now: c.now });
    est.sample(0);
    feed(est, c, { bytes: 0, bytesPerSecond: 1000, forMs: 1000, everyMs: 100 });
    expect(est.etaSeconds(5000)).toBe(est.etaSeconds(5000));
  });

  it('rejects a half-life that is not a positive number', () => {
    for (const halfLifeMs of [0, -1, Number.NaN, Infinity]) {
      expect(() => createSpeedEstimator({ halfLifeMs })).toThrow(FerryError);
    }
  });
});
