import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { copyInto, sharedBatches } from './shared-batches';

describe('copyInto', () => {
  it('copies any slice to any offset of shared memory, and nothing around it', () => {
    const target = sharedBatches(4096).take();
    const source = randomBytes(3000);
    for (const [from, to, offset] of [
      [0, 3000, 0],
      [3, 1004, 5],
      [1, 2, 4095],
      [7, 2000, 1001],
    ] as const) {
      target.fill(0xee);
      const piece = source.subarray(from, to);
      copyInto(target, piece, offset);
      expect(target.subarray(offset, offset + piece.length).equals(piece)).toBe(true);
      expect(target.subarray(0, offset).every((byte) => byte === 0xee)).toBe(true);
      expect(target.subarray(offset + piece.length).every((byte) => byte === 0xee)).toBe(true);
    }
  });

  it('copies nothing for an empty piece (fill would refuse an empty value)', () => {
    const target = sharedBatches(16).take().fill(1);
    copyInto(target, new Uint8Array(0), 8);
    expect([...target]).toEqual(new Array(16).fill(1));
  });

  it('refuses a piece that does not fit', () => {
    const target = sharedBatches(16).take();
    expect(() => copyInto(target, new Uint8Array(10), 8)).toThrow(RangeError);
  });
});
