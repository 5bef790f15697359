import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePng, trayIconPng } from './tray-icon';

function decode(png: Buffer) {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    chunks.push({ type: png.subarray(at + 4, at + 8).toString('ascii'), data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  const header = chunks.find((entry) => entry.type === 'IHDR')!.data;
  return {
    types: chunks.map((entry) => entry.type),
    width: header.readUInt32BE(0),
    height: header.readUInt32BE(4),
    rows: inflateSync(chunks.find((entry) => entry.type === 'IDAT')!.data),
  };
}

describe('tray icon', () => {
  it('encodes a valid RGBA PNG', () => {
    const png = encodePng(2, 1, new Uint8Array([255, 0, 0, 255, 0, 0, 255, 128]));
    const { types, width, height, rows } = decode(png);
    expect(types).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect([width, height]).toEqual([2, 1]);
    expect([...rows]).toEqual([0, 255, 0, 0, 255, 0, 0, 255, 128]);
    // The IEND CRC is a fixed value in every PNG.
    expect(png.subarray(-4).toString('hex')).toBe('ae426082');
  });

  it('draws a square icon with transparent corners and an opaque middle', () => {
    const { width, rows } = decode(trayIconPng(32));
    expect(width).toBe(32);
    const alpha = (x: number, y: number) => rows[y * (32 * 4 + 1) + 1 + x * 4 + 3];
    expect(alpha(0, 0)).toBe(0);
    expect(alpha(16, 5)).toBe(255);
    expect(decode(trayIconPng(16, true)).width).toBe(16);
  });
});
