import { describe, expect, it } from 'vitest';
import { formatBytes, parseDuration, parseSize } from './units';

describe('parseSize', () => {
  it.each([
    ['1073741824', 1073741824],
    ['512KiB', 512 * 1024],
    ['8MiB', 8 * 1024 ** 2],
    ['10GiB', 10 * 1024 ** 3],
    ['5MB', 5_000_000],
    ['1.5k', 1536],
  ])('%s → %d', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each(['', 'abc', '-1', '5 parsecs', '1e3'])('rejects %j', (text) =>
    expect(() => parseSize(text)).toThrow(RangeError),
  );
});

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['24h', 86_400_000],
    ['15', 15_000],
    ['250ms', 250],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it('rejects nonsense', () => expect(() => parseDuration('soon')).toThrow(RangeError));
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
  });
});
