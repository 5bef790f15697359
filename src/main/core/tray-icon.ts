import { deflateSync } from 'node:zlib';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Encodes RGBA pixels (row by row, 4 bytes each) as a PNG. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) rows.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * The tray icon, drawn rather than shipped as a file: a rounded square with an upward arrow.
 * `template`: black on transparent, for the macOS menu bar (it tints template images itself).
 */
export function trayIconPng(size = 32, template = false): Buffer {
  const pixels = new Uint8Array(size * size * 4);
  const [r, g, b] = template ? [0, 0, 0] : [37, 99, 235];
  const radius = size * 0.22;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const cx = Math.max(radius, Math.min(size - 1 - radius, x));
      const cy = Math.max(radius, Math.min(size - 1 - radius, y));
      const inside = Math.hypot(x - cx, y - cy) <= radius;
      const u = x / size;
      const v = y / size;
      // The arrow: a triangle head over a stem, centered.
      const head = v >= 0.2 && v <= 0.5 && Math.abs(u - 0.5) <= (v - 0.2) * 1.1;
      const stem = v > 0.5 && v <= 0.8 && Math.abs(u - 0.5) <= 0.09;
      const arrow = head || stem;
      const offset = (y * size + x) * 4;
      if (!inside) continue;
      if (template) pixels.set(arrow ? [0, 0, 0, 0] : [r, g, b, 255], offset);
      else pixels.set(arrow ? [255, 255, 255, 255] : [r, g, b, 255], offset);
    }
  }
  return encodePng(size, size, pixels);
}
