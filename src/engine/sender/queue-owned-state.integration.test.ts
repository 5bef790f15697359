// Every change to a job goes through the queue: it hands out frozen jobs, replaces one on each update
// and tells its listeners. A transfer that changed a job in place (`job.sent = …`, `part.offset = …`)
// throws here, or leaves a job that differs from what the change stream showed when it was handed out.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { UploadJob } from '../../shared/upload-job';
import { createReceiver, type Receiver } from '../receiver/server';
import { createMemoryPersistence } from './queue-persistence';
import { createTusClient } from './tus-client';
import { createUploadPool, type PoolOptions, type UploadPool } from './upload-pool';
import { createUploadQueue, type QueuedJob, type UploadQueue } from './upload-queue';
import {
  KiB,
  MiB,
  makeTempDir,
  removeDir,
  startTinyTus,
  writeRandomFile,
  type TinyTusServer,
} from '../../../test/support/sender-test-kit';

let dir: string | undefined;
let pool: UploadPool | undefined;
let receiver: Receiver | undefined;
let tiny: TinyTusServer | undefined;
afterEach(async () => {
  await pool?.close();
  await receiver?.close();
  await tiny?.close();
  await removeDir(dir);
  dir = pool = receiver = tiny = undefined;
});

async function queueWithFile(size: number, endpoint = 'http://127.0.0.1:9/files/') {
  dir ??= await makeTempDir('owned');
  const source = join(dir, 'source.bin');
  await writeRandomFile(source, size);
  const queue = createUploadQueue(createMemoryPersistence());
  return { queue, source, endpoint };
}

/** Every job the change stream announced, as it was then (serialized at once) and as the object handed out. */
function recordChanges(queue: UploadQueue) {
  const seen: { job: QueuedJob; json: string }[] = [];
  queue.onChange((ids) => {
    for (const id of ids === 'all' ? queue.list().map((job) => job.id) : ids) {
      const job = queue.get(id);
      if (job) seen.push({ job, json: JSON.stringify(job) });
    }
  });
  return seen;
}

describe('jobs the queue hands out', () => {
  it('are frozen, parts and target too: an assignment throws and changes nothing', async () => {
    const { queue, source, endpoint } = await queueWithFile(10);
    const [added] = (await queue.add([source], { endpoint })).added;
    const job = queue.get(added!.id)!;
    expect(Object.isFrozen(job)).toBe(true);
    expect(() => ((job as UploadJob).sent = 5)).toThrow(TypeError);
    queue.update(job.id, { parts: [{ start: 0, end: 10, offset: 0 }] });
    const withParts = queue.get(job.id)!;
    expect(() => (withParts.parts![0]!.offset = 3)).toThrow(TypeError);
    expect(() => withParts.parts!.push({ start: 10, end: 20, offset: 0 })).toThrow(TypeError);
    expect(() => ((withParts.target as { endpoint: string }).endpoint = 'http://127.0.0.1:1/')).toThrow(TypeError);
    expect(queue.get(job.id)).toMatchObject({ sent: 0, parts: [{ offset: 0 }], target: { endpoint } });
  });

  it('change only by update: a new job each time, the one held before stays as it was, and listeners hear of it', async () => {
    const { queue, source, endpoint } = await queueWithFile(10);
    const [added] = (await queue.add([source], { endpoint })).added;
    const before = queue.get(added!.id)!;
    const events: (string[] | 'all')[] = [];
    queue.onChange((ids) => void events.push(ids));
    const after = queue.update(before.id, { sent: 7 })!;
    expect(after).not.toBe(before);
    expect(before.sent).toBe(0);
    expect(queue.get(before.id)).toBe(after);
    expect(queue.list()[0]).toBe(after);
    expect(queue.nextQueued(new Set())).toBe(after);
    expect(events).toEqual([[before.id]]);
  });

  it("keep nothing of the caller's: a target, parts or a stored queue given to it stay the caller's to change", async () => {
    const { queue, source, endpoint } = await queueWithFile(10);
    const target = { endpoint, headers: { authorization: 'Bearer a' } };
    const [job] = (await queue.add([source], target)).added;
    target.headers.authorization = 'Bearer b';
    const parts = [{ start: 0, end: 10, offset: 0 }];
    queue.update(job!.id, { parts });
    parts[0]!.offset = 4;
    expect(queue.get(job!.id)).toMatchObject({
      target: { headers: { authorization: 'Bearer a' } },
      parts: [{ offset: 0 }],
    });
    const stored = { version: 1 as const, jobs: [{ ...queue.get(job!.id)!, parts: [{ ...parts[0]! }] }] };
    const restored = createUploadQueue(createMemoryPersistence(stored));
    await restored.restore();
    stored.jobs[0]!.parts[0]!.offset = 9;
    expect(Object.isFrozen(stored.jobs[0])).toBe(false);
    expect(restored.get(job!.id)!.parts![0]!.offset).toBe(4);
  });
});

type Kind = [label: string, size: number, options: PoolOptions & { growing?: boolean; plainServer?: boolean }];
const kinds: Kind[] = [
  ['a small file in one request', 20 * KiB, {}],
  ['plain chunks to a server without concatenation', 2 * MiB + 11, { chunkSize: 256 * KiB, plainServer: true }],
  ['one part sealed by a final upload', 3 * MiB + 5, { chunkSize: 512 * KiB }],
  ['parallel parts', 5 * MiB + 7, { chunkSize: 512 * KiB, parallel: 3 }],
  ['a growing source, sent round by round', 900 * KiB, { chunkSize: 256 * KiB, growing: true, growingQuietMs: 300 }],
];

describe('a transfer changes its job only through the queue', () => {
  it.each(kinds)('%s: every state the job reached came by the change stream, and stayed as shown', async (...kind) => {
    const [, size, { growing, plainServer, ...options }] = kind;
    dir = await makeTempDir('owned');
    let endpoint: string;
    if (plainServer) endpoint = (tiny = await startTinyTus()).endpoint;
    else {
      receiver = createReceiver({ dir: join(dir, 'received'), token: null, logger: false, durable: false });
      endpoint = `${(await receiver.listen()).url}/files/`;
    }
    const { queue, source } = await queueWithFile(size, endpoint);
    const seen = recordChanges(queue);
    const [added] = (await queue.add([source], { endpoint }, { growing })).added;
    pool = createUploadPool(queue, createTusClient(), { retryDelays: [50], maxAttempts: 2, ...options });
    pool.start();
    await pool.whenIdle();
    const final = queue.get(added!.id)!;
    expect(final).toMatchObject({ status: 'completed', acknowledged: size, sent: size, error: undefined });
    // The job now is the one the last change announced, and no job handed out changed afterwards.
    expect(seen.at(-1)!.job).toBe(final);
    for (const { job, json } of seen) expect(JSON.stringify(job)).toBe(json);
    // Bytes sent moved by updates, forward only, and were seen on the way.
    const sent = seen.map(({ job }) => job.sent);
    for (let at = 1; at < sent.length; at++) expect(sent[at]).toBeGreaterThanOrEqual(sent[at - 1]!);
    if (size > MiB) expect(new Set(sent).size).toBeGreaterThan(3);
    for (const part of final.parts ?? []) expect(part.offset).toBe(part.end - part.start);
  });
});
