import { createHash, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { allocChunk, createChunkHasher } from './chunk-hasher';

const hasher = createChunkHasher();
afterAll(() => hasher.close());
const expected = (data: Buffer) => `sha256 ${createHash('sha256').update(data).digest('base64')}`;

describe('chunk hasher', () => {
  it('hashes shared-memory chunks, including a sub-range', async () => {
    const chunk = allocChunk(1024 * 1024);
    randomBytes(chunk.length).copy(chunk);
    expect(await hasher.checksum(chunk)).toBe(expected(chunk));
    const part = chunk.subarray(100, 5000);
    expect(await hasher.checksum(part)).toBe(expected(Buffer.from(part)));
  });

  it('hashes ordinary buffers too, and many at once in order of their own answers', async () => {
    const buffers = Array.from({ length: 20 }, (_, i) => randomBytes(1000 + i));
    const digests = await Promise.all(buffers.map((buffer) => hasher.checksum(buffer)));
    expect(digests).toEqual(buffers.map(expected));
  });

  it('hashes an empty chunk', async () => {
    expect(await hasher.checksum(allocChunk(0))).toBe(expected(Buffer.alloc(0)));
  });
});
