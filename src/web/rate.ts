// Speed as the page shows it: stored bytes over the last few seconds (so a burst at the start or a
// stall shows for what it is), and an ETA that is smoothed so it does not jump with every event.

export interface RateMeter {
  sample(bytes: number, at: number): void;
  /** Bytes per second over the window up to `at`; 0 until half a second of data exists. */
  rate(at: number): number;
  /** How much time the samples cover, up to `at`. */
  span(at: number): number;
}

export function createRateMeter(windowMs = 3000): RateMeter {
  const samples: Array<[at: number, bytes: number]> = [];
  return {
    sample(bytes, at) {
      const last = samples.at(-1);
      if (last && bytes < last[1]) samples.length = 0;
      if (last && last[0] === at) last[1] = bytes;
      else samples.push([at, bytes]);
      while (samples.length > 2 && samples[1]![0] <= at - windowMs) samples.shift();
    },
    rate(at) {
      const first = samples[0];
      const last = samples.at(-1);
      if (!first || !last || at - first[0] < 500) return 0;
      // Measured up to now, not to the last event: with no new bytes the speed falls off by itself.
      return ((last[1] - first[1]) * 1000) / Math.max(at - first[0], 1);
    },
    span: (at) => (samples[0] ? at - samples[0][0] : 0),
  };
}

/** Seconds left, eased toward the raw estimate with a 2 s half-life; `restart` when the work itself changed. */
export function createEtaSmoother(halfLifeMs = 2000) {
  let value: number | null = null;
  let at = 0;
  return (raw: number | null, now: number, restart = false): number | null => {
    if (raw === null || restart) value = null;
    if (raw === null) {
      value = null;
      return null;
    }
    if (value === null) value = raw;
    else {
      // The clock runs down between estimates; then ease toward the new one.
      const aged = Math.max(0, value - (now - at) / 1000);
      value = raw + (aged - raw) * 2 ** (-(now - at) / halfLifeMs);
    }
    at = now;
    return value;
  };
}
