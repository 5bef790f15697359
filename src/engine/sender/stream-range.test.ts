import { describe, expect, it } from 'vitest';
import { streamedRequestBytes } from './stream-range';
import type { Session } from './transfer-session';

const MiB = 1024 * 1024;
const sessionWith = (chunkSize: number, limit: number | null, measured: number | undefined) =>
  ({
    settings: { chunkSize },
    deps: { limiter: { rate: limit }, link: { rate: () => measured } },
  }) as unknown as Session;

describe('request length to a one-pass receiver', () => {
  it('is the chunk size until the link is known', () => {
    expect(streamedRequestBytes(sessionWith(8 * MiB, null, undefined), 1024 * MiB)).toBe(8 * MiB);
  });

  it('is a quarter of the range on a fast link, never less than the chunk size', () => {
    expect(streamedRequestBytes(sessionWith(8 * MiB, null, 400e6), 1024 * MiB)).toBe(256 * MiB);
    expect(streamedRequestBytes(sessionWith(8 * MiB, null, 400e6), 28 * MiB)).toBe(8 * MiB);
  });

  it('is about two seconds of the link, or of the limit, when that is less', () => {
    expect(streamedRequestBytes(sessionWith(8 * MiB, null, 10e6), 1024 * MiB)).toBe(20e6);
    expect(streamedRequestBytes(sessionWith(8 * MiB, 1e6, 400e6), 1024 * MiB)).toBe(2e6);
    // A crawling link still gets requests worth their round trip.
    expect(streamedRequestBytes(sessionWith(8 * MiB, 1_000, undefined), 1024 * MiB)).toBe(64 * 1024);
  });
});
