import { describe, expect, it } from 'vitest';
import { createLinkMeters, minRequestBytes, requestBytes, sliceBytesFor } from './request-size';

const KiB = 1024;
const MiB = 1024 * KiB;

describe('requestBytes', () => {
  it('is the configured chunk while nothing is known about the link', () => {
    expect(requestBytes(8 * MiB, null, undefined)).toBe(8 * MiB);
  });

  it('is what the slower of limit and measurement moves in about two seconds, within [64 KiB, chunk]', () => {
    expect(requestBytes(8 * MiB, 64 * KiB, undefined)).toBe(128 * KiB);
    expect(requestBytes(8 * MiB, null, 1 * MiB)).toBe(2 * MiB);
    expect(requestBytes(8 * MiB, 64 * KiB, 10 * MiB)).toBe(128 * KiB);
    expect(requestBytes(8 * MiB, 100 * MiB, 16 * KiB)).toBe(minRequestBytes);
    expect(requestBytes(8 * MiB, null, 500 * MiB)).toBe(8 * MiB);
    expect(requestBytes(32 * KiB, 1 * KiB, undefined)).toBe(32 * KiB);
  });
});

describe('link meters', () => {
  it('measure per target origin, weighting recent requests, and ignore short small ones', () => {
    const meters = createLinkMeters();
    const a = meters.of({ endpoint: 'http://127.0.0.1:1/files/' });
    expect(a.rate()).toBeUndefined();
    a.record(1 * KiB, 2);
    expect(a.rate()).toBeUndefined();
    a.record(128 * KiB, 2_000);
    expect(a.rate()).toBe(64 * KiB);
    // A broken-off request that moved little in a long time says the link got slow.
    a.record(8 * KiB, 2_000);
    expect(a.rate()).toBeLessThan(32 * KiB);
    expect(meters.of({ endpoint: 'http://127.0.0.1:1/other/' })).toBe(a);
    expect(meters.of({ endpoint: 'http://127.0.0.2:1/files/' }).rate()).toBeUndefined();
  });
});

describe('sliceBytesFor', () => {
  it('slices a limited body so that several slices leave each second', () => {
    expect(sliceBytesFor(null)).toBe(256 * KiB);
    expect(sliceBytesFor(64 * KiB)).toBe(8 * KiB);
    expect(sliceBytesFor(10 * MiB)).toBe(64 * KiB);
    expect(sliceBytesFor(1 * KiB)).toBe(4 * KiB);
  });
});
