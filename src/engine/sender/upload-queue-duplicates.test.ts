import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UploadTarget } from '../../shared/upload-job';
import { createMemoryPersistence } from './queue-persistence';
import { createUploadQueue } from './upload-queue';

const target: UploadTarget = { endpoint: 'http://127.0.0.1:9/files/', headers: { authorization: 'Bearer t' } };
const otherTarget: UploadTarget = { endpoint: 'http://127.0.0.1:10/files/' };

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ferry-queue-dup-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function file(relative: string, content = 'x'): Promise<string> {
  const path = join(root, relative);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
  return path;
}

describe('duplicate detection (path + size + mtime + target)', () => {
  it('refuses the same file to the same target, within one call and across calls', async () => {
    const path = await file('dup.txt');
    const queue = createUploadQueue(createMemoryPersistence());
    const first = await queue.add([path, path], target);
    expect(first.added).toHaveLength(1);
    expect(first.duplicates).toEqual([path]);
    // The folder holding it also counts: the file inside is the same file.
    const second = await queue.add([root], target);
    expect(second.added).toHaveLength(0);
    expect(second.duplicates).toEqual([path]);
  });

  it('queues again when the size, the mtime or the target differ', async () => {
    const path = await file('changing.txt', 'one');
    const queue = createUploadQueue(createMemoryPersistence());
    await queue.add([path], target);
    expect((await queue.add([path], otherTarget)).added).toHaveLength(1);
    await writeFile(path, 'three');
    expect((await queue.add([path], target)).added).toHaveLength(1);
    const later = new Date(Date.now() + 60_000);
    await utimes(path, later, later);
    expect((await queue.add([path], target)).added).toHaveLength(1);
    expect(queue.list()).toHaveLength(4);
  });

  it('queues a duplicate when asked, and a canceled or removed job no longer blocks', async () => {
    const path = await file('again.txt');
    const queue = createUploadQueue(createMemoryPersistence());
    const [job] = (await queue.add([path], target)).added;
    expect((await queue.add([path], target, { allowDuplicates: true })).added).toHaveLength(1);
    queue.update(job!.id, { status: 'canceled' });
    queue.remove(queue.list()[1]!.id);
    expect((await queue.add([path], target)).added).toHaveLength(1);
  });

  it('keeps guarding while one of two allowed duplicates is still live', async () => {
    const path = await file('twice.txt');
    const queue = createUploadQueue(createMemoryPersistence());
    await queue.add([path], target);
    const [second] = (await queue.add([path], target, { allowDuplicates: true })).added;
    queue.remove(second!.id);
    expect((await queue.add([path], target)).duplicates).toEqual([path]);
    const [third] = (await queue.add([path], target, { allowDuplicates: true })).added;
    queue.update(third!.id, { status: 'canceled' });
    expect((await queue.add([path], target)).duplicates).toEqual([path]);
  });

  it('guards again when a canceled job is retried', async () => {
    const path = await file('retried.txt');
    const queue = createUploadQueue(createMemoryPersistence());
    const [job] = (await queue.add([path], target)).added;
    queue.update(job!.id, { status: 'canceled' });
    queue.update(job!.id, { status: 'queued' });
    expect((await queue.add([path], target)).duplicates).toEqual([path]);
  });
});

it('follows a job whose source was re-read (new size and mtime): the new file is the duplicate now', async () => {
  const path = await file('grown.txt', 'one');
  const queue = createUploadQueue(createMemoryPersistence());
  const [job] = (await queue.add([path], target)).added;
  await writeFile(path, 'one and more');
  const info = await stat(path);
  // What the pool does when a changed source restarts its upload.
  queue.update(job!.id, { size: info.size, mtimeMs: info.mtimeMs });
  expect((await queue.add([path], target)).duplicates).toEqual([path]);
});

describe('completed files added again', () => {
  it('reports the completed jobs they match, once each, so the caller can check the target still has them', async () => {
    const done = await file('done.txt', 'done');
    const queued = await file('queued.txt', 'queued');
    const queue = createUploadQueue(createMemoryPersistence());
    const { added } = await queue.add([done, queued], target);
    queue.update(added[0]!.id, { status: 'completed', uploadUrl: `${target.endpoint}done` });
    const again = await queue.add([done, queued, done], target);
    expect(again.added).toEqual([]);
    expect(again.duplicates).toEqual([done, queued, done]);
    expect(again.completedDuplicates).toEqual([added[0]!.id]);
    // A fresh file has none.
    expect((await queue.add([await file('new.txt')], target)).completedDuplicates).toEqual([]);
  });
});
