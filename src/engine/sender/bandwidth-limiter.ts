import { Readable } from 'node:stream';

export interface BandwidthLimiter {
  /** Resolves once `bytes` may be sent. */
  take(bytes: number, signal?: AbortSignal): Promise<void>;
  /** Changes the limit at once, even while uploads run; null removes it. */
  setRate(bytesPerSecond: number | null): void;
  readonly rate: number | null;
}

/** A token bucket shared by every upload: the limit holds for the pool as a whole. */
export function createBandwidthLimiter(
  initialRate: number | null,
  now: () => number = () => performance.now(),
): BandwidthLimiter {
  let rate = initialRate;
  let tokens = 0;
  let last = now();
  let queue: Promise<void> = Promise.resolve();
  let waiting = 0;

  const burst = () => Math.max(64 * 1024, (rate ?? 0) / 10);
  function refill() {
    const t = now();
    if (rate !== null) tokens = Math.min(burst(), tokens + ((t - last) / 1000) * rate);
    last = t;
  }

  async function waitFor(bytes: number, signal?: AbortSignal) {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const current = rate;
      if (current === null) return;
      refill();
      if (tokens >= Math.min(bytes, burst())) {
        tokens -= bytes;
        return;
      }
      const needed = Math.min(bytes, burst()) - tokens;
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(100, (needed / current) * 1000))));
    }
  }

  return {
    take(bytes, signal) {
      // Unlimited and nobody waiting: no queue, no timer, just go.
      if (rate === null && !waiting) return signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve();
      // FIFO: each caller waits behind the previous one, so no upload starves.
      waiting += 1;
      const turn = queue.then(() => waitFor(bytes, signal)).finally(() => (waiting -= 1));
      queue = turn.catch(() => undefined);
      return turn;
    },
    setRate(next) {
      refill();
      rate = next;
      tokens = Math.min(tokens, burst());
    },
    get rate() {
      return rate;
    },
  };
}

/** A body stream that releases `buffer` in slices, each only after the limiter allows it. */
export function throttledBody(
  buffer: Buffer,
  limiter: BandwidthLimiter,
  signal?: AbortSignal,
  sliceBytes = 64 * 1024,
): Readable {
  let position = 0;
  return new Readable({
    highWaterMark: sliceBytes,
    read() {
      if (position >= buffer.length) {
        this.push(null);
        return;
      }
      const slice = buffer.subarray(position, Math.min(buffer.length, position + sliceBytes));
      position += slice.length;
      limiter.take(slice.length, signal).then(
        () => this.push(slice),
        (error) => this.destroy(error),
      );
    },
  });
}
