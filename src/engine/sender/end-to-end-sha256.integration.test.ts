import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createReceiver, type Receiver } from '../receiver/server';
import { classifyError } from './retry-policy';
import { TusRequestError } from './sender-errors';
import { createMemoryPersistence, createTusClient, createUploadPool, createUploadQueue, type UploadPool } from '.';
import { makeTempDir, removeDir } from '../../../test/support/sender-test-kit';

const MiB = 1024 * 1024;
let receiver: Receiver | undefined;
let pool: UploadPool | undefined;
let dir = '';
afterEach(async () => {
  await pool?.close();
  await receiver?.close();
  await removeDir(dir);
});

describe('end-to-end sha256', () => {
  it.each([
    ['a small file in one request', 20_000, 1, true],
    ['a chunked file, sealed by a one-part final upload', 5 * MiB + 123, 1, true],
    ['parallel parts, via the final upload', 9 * MiB + 7, 3, true],
  ])('records the whole-file sha256 for %s, and the receiver accepts it', async (_label, size, parallel, declared) => {
    dir = await makeTempDir('e2e');
    const source = join(dir, 'source.bin');
    const bytes = randomBytes(size);
    await writeFile(source, bytes);
    const expected = createHash('sha256').update(bytes).digest('hex');
    receiver = createReceiver({ dir: join(dir, 'received'), token: null, logger: false, durable: false });
    const { url } = await receiver.listen();
    const queue = createUploadQueue(createMemoryPersistence());
    await queue.add([source], { endpoint: `${url}/files/` });
    pool = createUploadPool(queue, createTusClient(), { chunkSize: 2 * MiB, parallel });
    pool.start();
    await pool.whenIdle();
    const [job] = queue.list();
    expect(job).toMatchObject({ status: 'completed', sha256: expected });
    expect(
      createHash('sha256')
        .update(await readFile(join(dir, 'received', 'source.bin')))
        .digest('hex'),
    ).toBe(expected);
    // Where it is known at creation, the digest travels as metadata and the receiver checked it.
    const declaredDigests = (await receiver.store.list()).map((info) => info.metadata.sha256).filter(Boolean);
    expect(declaredDigests).toEqual(declared ? [expected] : []);
  });

  it('treats a receiver-side sha256 mismatch as a reason to send the file again', () => {
    expect(classifyError(new TusRequestError('SHA256_MISMATCH', 'mismatch', 460, undefined), true, true)).toEqual({
      kind: 'restart',
    });
    expect(classifyError(new TusRequestError('CHECKSUM_MISMATCH', 'chunk', 460, undefined), true, true)).toEqual({
      kind: 'retry',
      rehead: true,
    });
  });
});
