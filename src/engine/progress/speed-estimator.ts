import { FerryError } from '../errors';

export interface SpeedEstimatorOptions {
  /** Time after which an old observation counts half as much as a new one. */
  halfLifeMs?: number;
  /** Clock in milliseconds. `sample(…, nowMs)` must use the same clock. */
  now?: () => number;
}

export interface SpeedEstimator {
  /** Records the running byte total at a moment; totals that go down re-baseline the estimator. */
  sample(totalBytes: number, nowMs?: number): void;
  /**
   * Bytes that joined the total without moving now (a resumed upload's offset, stored by an earlier
   * run): the base moves past them, so the next sample counts only what came after.
   */
  skip(bytes: number): void;
  /** Smoothed rate, decayed for the time since the last sample; 0 before there is a rate. */
  bytesPerSecond(): number;
  /** Smoothed seconds left; null while there is no rate. Each call advances the ETA average. */
  etaSeconds(remainingBytes: number): number | null;
}

/** Below this a transfer is stalled, and an ETA would only be noise. */
const stalledBelowBytesPerSecond = 1;

/**
 * Two exponential moving averages: one over the byte rate, one over the ETA
 * derived from it. Both are time-weighted (alpha = 1 - 2^(-dt/halfLife)), so the
 * smoothing does not depend on how often samples or reads happen.
 *
 * For its first half-life the rate is the plain average since the first sample, and the moving
 * average starts from there: seeded with the first interval alone, a transfer whose first tenth of a
 * second was slow (a thread starting, a connection opening) showed under half its speed, and an ETA
 * four times too long, for seconds. The ETA is not smoothed over that half-life either.
 */
export function createSpeedEstimator(options: SpeedEstimatorOptions = {}): SpeedEstimator {
  const { halfLifeMs = 2000, now = Date.now } = options;
  if (!Number.isFinite(halfLifeMs) || halfLifeMs <= 0) {
    throw new FerryError('PROGRESS_INVALID_ARGUMENT', `halfLifeMs must be a positive number, got ${halfLifeMs}`);
  }

  /** Share of an old average that survives `dtMs`. */
  const keep = (dtMs: number): number => 2 ** (-dtMs / halfLifeMs);

  let baseBytes: number | undefined;
  let baseAt = 0;
  /** The first sample, while the rate is still the average since it. */
  let warmFrom: { bytes: number; at: number } | undefined;
  let rate: number | undefined;
  let eta: number | undefined;
  let etaAt = 0;

  function rateAt(at: number): number {
    if (rate === undefined) return 0;
    // No sample since baseAt means no bytes arrived: decay as if a zero-byte sample came in now.
    const value = rate * keep(Math.max(0, at - baseAt));
    return value < stalledBelowBytesPerSecond ? 0 : value;
  }

  return {
    sample(totalBytes, nowMs) {
      const at = nowMs ?? now();
      if (!Number.isFinite(totalBytes) || !Number.isFinite(at)) return;
      if (baseBytes === undefined) {
        baseBytes = totalBytes;
        baseAt = at;
        warmFrom = { bytes: totalBytes, at };
        return;
      }
      const dt = at - baseAt;
      if (totalBytes < baseBytes || dt < 0) {
        // A restarted count or a clock step: age the rate for the time that passed, then start over from here.
        if (rate !== undefined && dt > 0) rate *= keep(dt);
        warmFrom = undefined;
        baseBytes = totalBytes;
        baseAt = at;
        return;
      }
      // Same instant: keep the base so these bytes count toward the next interval instead of dividing by zero.
      if (dt === 0) return;
      if (warmFrom && at - warmFrom.at < halfLifeMs) rate = ((totalBytes - warmFrom.bytes) * 1000) / (at - warmFrom.at);
      else {
        warmFrom = undefined;
        const instant = ((totalBytes - baseBytes) * 1000) / dt;
        rate = rate === undefined ? instant : instant + (rate - instant) * keep(dt);
      }
      baseBytes = totalBytes;
      baseAt = at;
    },

    skip(bytes) {
      if (baseBytes === undefined || !Number.isFinite(bytes) || bytes <= 0) return;
      baseBytes += bytes;
      if (warmFrom) warmFrom.bytes += bytes;
    },

    bytesPerSecond() {
      return rateAt(now());
    },

    etaSeconds(remainingBytes) {
      if (Number.isNaN(remainingBytes) || remainingBytes === Infinity) return null;
      if (remainingBytes <= 0) return 0;
      const at = now();
      const speed = rateAt(at);
      if (speed <= 0) {
        eta = undefined;
        return null;
      }
      const raw = remainingBytes / speed;
      // While the rate is still the average since the start, so is the ETA: already smooth, and an
      // early estimate from a slow start would otherwise linger as long as the rate's would have.
      if (eta === undefined || at < etaAt || warmFrom) {
        eta = raw;
      } else {
        // Count the previous estimate down by the time that passed, so a steady transfer keeps ETA == raw.
        const dt = at - etaAt;
        const projected = Math.max(0, eta - dt / 1000);
        eta = raw + (projected - raw) * keep(dt);
      }
      etaAt = at;
      return eta;
    },
  };
}
