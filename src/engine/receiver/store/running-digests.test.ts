import { createHash, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createDigestWorker } from '../../crypto/digest-worker';
import { createRunningDigests } from './running-digests';
import type { UploadInfo } from './types';

const worker = createDigestWorker();
afterAll(() => worker.close());

const upload = (
  id: string,
  extra: Partial<UploadInfo> = {},
  metadata: Record<string, string> = { filename: 'a.bin' },
): UploadInfo => {
  const now = new Date().toISOString();
  return {
    id,
    length: 3000,
    metadata,
    status: 'created',
    createdAt: now,
    touchedAt: now,
    concat: { kind: 'partial' },
    ...extra,
  };
};
const hex = (...pieces: Buffer[]) => createHash('sha256').update(Buffer.concat(pieces)).digest('hex');

describe('running digests', () => {
  it('hashes a sealed part across appends in order and answers once', async () => {
    const digests = createRunningDigests(worker, (id) => `/nonexistent/${id}`);
    const info = upload('part1');
    const [a, b] = [randomBytes(1000), randomBytes(2000)];
    digests.begin(info, 0)!.update(a);
    digests.settle('part1', 1000);
    digests.begin(info, 1000)!.update(b);
    digests.settle('part1', 3000);
    expect(await digests.take('part1', 3000)).toBe(hex(a, b));
    expect(await digests.take('part1', 3000)).toBeUndefined();
  });

  it('stops tracking when bytes did not all land, or an append starts elsewhere', async () => {
    const digests = createRunningDigests(worker, (id) => `/nonexistent/${id}`);
    const info = upload('part2');
    digests.begin(info, 0)!.update(randomBytes(1000));
    // A rejected chunk: its bytes were hashed but rolled back.
    digests.settle('part2', undefined);
    expect(digests.begin(info, 0)).toBeDefined();
    digests.settle('part2', 1000);
    // After a restart of the sender the next append may start elsewhere: no guessing.
    expect(digests.begin(info, 500)).toBeUndefined();
    expect(await digests.take('part2', 1000)).toBeUndefined();
  });

  it('does not count a digest short of the full length', async () => {
    const digests = createRunningDigests(worker, (id) => `/nonexistent/${id}`);
    digests.begin(upload('part3'), 0)!.update(randomBytes(10));
    digests.settle('part3', 10);
    expect(await digests.take('part3', 3000)).toBeUndefined();
  });

  it('tracks declared sha256 uploads and lone named parts, and nothing else', () => {
    const digests = createRunningDigests(worker, (id) => `/nonexistent/${id}`);
    expect(digests.begin(upload('plain', { concat: undefined }), 0)).toBeUndefined();
    expect(
      digests.begin(upload('declared', { concat: undefined }, { filename: 'x', sha256: 'a'.repeat(64) }), 0),
    ).toBeDefined();
    expect(digests.begin(upload('anonymous-part', {}, {}), 0)).toBeUndefined();
    expect(digests.begin(upload('final', { concat: { kind: 'final', parts: ['p'] } }), 0)).toBeUndefined();
    for (const id of ['declared']) digests.forget(id);
  });
});
