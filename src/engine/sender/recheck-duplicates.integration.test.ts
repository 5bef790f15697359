// A file sent before and added again is a duplicate, but the user asked for it: the queue names the
// completed job, and a recheck asks the target (HEAD). Lost there (a wiped receiver at the same
// address), it is sent again; still there, nothing is sent.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createReceiver, type Receiver } from '../receiver/server';
import { createMemoryPersistence } from './queue-persistence';
import { KiB, makeTempDir, removeDir, sha256 } from '../../../test/support/sender-test-kit';
import { createTusClient } from './tus-client';
import { createUploadPool, type UploadPool } from './upload-pool';
import { createUploadQueue } from './upload-queue';

let dir: string | undefined;
let pool: UploadPool | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  await pool?.close();
  await receiver?.close();
  await removeDir(dir);
  pool = receiver = dir = undefined;
});

it(
  're-adding a completed file reports it, and a recheck sends it again where the target lost it',
  { timeout: 30_000 },
  async () => {
    dir = await makeTempDir('recheck-duplicates');
    const source = join(dir, 'photo.jpg');
    const content = randomBytes(300 * KiB);
    await writeFile(source, content);
    receiver = createReceiver({ dir: join(dir, 'first'), token: null, logger: false, durable: false });
    const { url } = await receiver.listen();
    const port = Number(new URL(url).port);
    const queue = createUploadQueue(createMemoryPersistence());
    const [job] = (await queue.add([source], { endpoint: `${url}/files/` })).added;
    pool = createUploadPool(queue, createTusClient(), { chunkSize: 128 * KiB });
    pool.start();
    await pool.whenIdle();
    expect(queue.get(job!.id)?.status).toBe('completed');

    // Still there: the recheck finds it by HEAD and sends nothing.
    const again = await queue.add([source], { endpoint: `${url}/files/` });
    expect(again).toMatchObject({ added: [], duplicates: [source], completedDuplicates: [job!.id] });
    for (const id of again.completedDuplicates) pool.recheck(id);
    await pool.whenIdle();
    expect(pool.outcome(job!.id)).toBe('already-there');

    // The receiver is wiped (a new one at the same address): the recheck sends the file again.
    await receiver.close();
    receiver = createReceiver({ dir: join(dir, 'second'), token: null, logger: false, durable: false, port });
    await receiver.listen();
    const third = await queue.add([source], { endpoint: `${url}/files/` });
    expect(third.completedDuplicates).toEqual([job!.id]);
    for (const id of third.completedDuplicates) pool.recheck(id);
    await pool.whenIdle();
    expect(queue.get(job!.id)?.status).toBe('completed');
    expect(pool.outcome(job!.id)).toBe('sent');
    expect(sha256(await readFile(join(dir, 'second', 'photo.jpg')))).toBe(sha256(content));
  },
);
