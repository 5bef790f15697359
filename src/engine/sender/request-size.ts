import type { TusTarget } from './tus-client';

/**
 * How big a request should be. A request that takes long is a request that loses a lot when it breaks:
 * with a per-chunk checksum the receiver keeps nothing of a chunk that did not arrive whole. So each
 * request carries what the link moves in about `requestSeconds`: the configured chunk on a fast link,
 * less on a slow or rate-limited one.
 */
const requestSeconds = 2;
/** Below this, per-request overhead (a round trip, an fsync) outweighs what a break could lose. */
export const minRequestBytes = 64 * 1024;
/** A request shorter than this in bytes and in time says more about latency than about bandwidth. */
const informativeMs = 1_000;
/** Each new measurement counts as much as everything before it: a link that changes is followed quickly. */
const keep = 0.5;

/** What requests to one target have been getting through lately, per request (the pool's share of a limit included). */
export interface LinkMeter {
  /** `bytes` of a request body left in `ms`, whether the request finished or broke off. */
  record(bytes: number, ms: number): void;
  /** Bytes per second, or undefined before anything informative was measured. */
  rate(): number | undefined;
}

function createLinkMeter(): LinkMeter {
  let bytes = 0;
  let ms = 0;
  return {
    record(sent, elapsed) {
      if (!(elapsed > 0) || (sent < minRequestBytes && elapsed < informativeMs)) return;
      bytes = bytes * keep + sent;
      ms = ms * keep + elapsed;
    },
    rate: () => (ms > 0 ? (bytes * 1000) / ms : undefined),
  };
}

/** One meter per target origin: links to different receivers differ. */
export interface LinkMeters {
  of(target: TusTarget): LinkMeter;
}

export function createLinkMeters(): LinkMeters {
  const meters = new Map<string, LinkMeter>();
  return {
    of(target) {
      const origin = new URL(target.endpoint).origin;
      let meter = meters.get(origin);
      if (!meter) meters.set(origin, (meter = createLinkMeter()));
      return meter;
    },
  };
}

/**
 * Bytes for the next request: `chunkSize` until the link is known (a limit, or a measurement), then
 * what the slower of the two moves in a couple of seconds, never under `minRequestBytes`.
 */
export function requestBytes(chunkSize: number, limit: number | null, measured: number | undefined): number {
  const rate = Math.min(limit ?? Infinity, measured ?? Infinity);
  if (rate === Infinity) return chunkSize;
  return Math.max(1, Math.min(chunkSize, Math.max(minRequestBytes, Math.floor(rate * requestSeconds))));
}

/**
 * Body slices: large when unlimited; under a limit small enough that a few leave every second, so
 * the stall watch sees steady progress and the shared bucket stays fair between files.
 */
export function sliceBytesFor(limit: number | null): number {
  if (limit === null) return 256 * 1024;
  return Math.max(4 * 1024, Math.min(64 * 1024, 2 ** Math.floor(Math.log2(Math.max(1, limit / 8)))));
}
