import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UploadJob, UploadTarget } from '../../shared/upload-job';
import { createJsonFilePersistence, createMemoryPersistence } from './queue-persistence';
import { createUploadQueue } from './upload-queue';

const target: UploadTarget = { endpoint: 'http://127.0.0.1:9/files/', headers: { authorization: 'Bearer t' } };

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ferry-queue-'));
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

const byPath = (jobs: readonly UploadJob[]) => [...jobs].sort((a, b) => a.path.localeCompare(b.path));

describe('adding', () => {
  for (const blockingStats of [false, true])
    it(`keeps a folder tree as relativePath under the folder name; single files get none${blockingStats ? ' (blocking stats)' : ''}`, async () => {
      await file('photos/a.jpg');
      await file('photos/2024/b.jpg', 'bb');
      await file('photos/2024/deep/c.jpg', 'ccc');
      const loose = await file('loose.txt');
      const queue = createUploadQueue(createMemoryPersistence(), { blockingStats });
      // Given with a trailing separator and a detour: the tree still starts at the folder's name.
      const result = await queue.add([join(root, 'photos', '..', 'photos') + '/', loose], target);
      expect(result.skipped).toEqual([]);
      expect(result.added.map((job) => job.relativePath ?? null).sort()).toEqual([
        null,
        'photos/2024/b.jpg',
        'photos/2024/deep/c.jpg',
        'photos/a.jpg',
      ]);
      const deep = result.added.find((job) => job.name === 'c.jpg')!;
      expect(deep).toMatchObject({
        path: join(root, 'photos/2024/deep/c.jpg'),
        size: 3,
        status: 'queued',
        acknowledged: 0,
        sent: 0,
        attempts: 0,
        target,
      });
    });

  it('reports unreadable paths as skipped and still adds the rest', async () => {
    const ok = await file('ok.txt');
    const queue = createUploadQueue(createMemoryPersistence());
    const result = await queue.add([join(root, 'missing.bin'), ok], target);
    expect(result.added).toHaveLength(1);
    expect(result.skipped).toEqual([{ path: join(root, 'missing.bin'), reason: expect.stringContaining('ENOENT') }]);
  });
});

describe('order', () => {
  it('moves a job to any position, clamped, and nextQueued follows the order', async () => {
    const paths = await Promise.all(['a', 'b', 'c', 'd'].map((name) => file(`${name}.txt`)));
    const queue = createUploadQueue(createMemoryPersistence());
    await queue.add(paths, target);
    const names = () => queue.list().map((job) => job.name);
    const id = (name: string) => queue.list().find((job) => job.name === `${name}.txt`)!.id;
    queue.move(id('d'), 0);
    expect(names()).toEqual(['d.txt', 'a.txt', 'b.txt', 'c.txt']);
    queue.move(id('d'), 99);
    expect(names()).toEqual(['a.txt', 'b.txt', 'c.txt', 'd.txt']);
    queue.move(id('c'), -5);
    queue.move(id('a'), 2);
    expect(names()).toEqual(['c.txt', 'b.txt', 'a.txt', 'd.txt']);
    queue.move('no-such-id', 0);
    expect(names()).toEqual(['c.txt', 'b.txt', 'a.txt', 'd.txt']);
    queue.update(id('c'), { status: 'paused' });
    expect(queue.nextQueued(new Set())?.name).toBe('b.txt');
    expect(queue.nextQueued(new Set([id('b')]))?.name).toBe('a.txt');
  });
});

describe('persistence round trip', () => {
  async function roundTrip(persistenceFor: () => ReturnType<typeof createJsonFilePersistence>) {
    await Promise.all(
      ['done', 'paused', 'failed', 'running', 'queued', 'canceled'].map((name) =>
        file(`tree/${name}.bin`, name.repeat(100)),
      ),
    );
    const queue = createUploadQueue(persistenceFor(), { saveDelayMs: 10_000 });
    await queue.add([join(root, 'tree')], target);
    const job = (name: string) => queue.list().find((entry) => entry.name === `${name}.bin`)!;
    queue.update(job('done').id, {
      status: 'completed',
      acknowledged: 400,
      sent: 400,
      uploadUrl: 'http://127.0.0.1:9/files/done',
      finishedAt: 1_700_000_000_123,
    });
    queue.update(job('paused').id, {
      status: 'paused',
      acknowledged: 200,
      sent: 300,
      uploadUrl: 'http://127.0.0.1:9/files/p',
    });
    queue.update(job('failed').id, {
      status: 'failed',
      attempts: 4,
      error: { code: 'HTTP_403', message: 'Creating the upload failed: HTTP 403' },
    });
    const parts = [
      { start: 0, end: 350, url: 'http://127.0.0.1:9/files/p1', offset: 100 },
      { start: 350, end: 700, offset: 0 },
    ];
    queue.update(job('running').id, {
      status: 'running',
      phase: 'stalled',
      acknowledged: 100,
      sent: 150,
      parts,
      attempts: 2,
    });
    queue.update(job('canceled').id, { status: 'canceled' });
    queue.move(job('queued').id, 0);
    // flush() must cancel the pending timed save and write now.
    await queue.flush();
    const before = structuredClone(queue.list());

    const restored = createUploadQueue(persistenceFor());
    await restored.restore();
    const after = restored.list();
    expect(after.map((entry) => entry.id)).toEqual(before.map((entry) => entry.id));
    for (const [index, original] of before.entries()) {
      // A job that was running when the process died goes back to the queue, with its resume state.
      const expected = original.status === 'running' ? { ...original, status: 'queued', phase: undefined } : original;
      expect(after[index]).toEqual(expected);
    }
    expect(restored.get(job('running').id)).toMatchObject({ status: 'queued', parts, acknowledged: 100 });
    expect(restored.get(job('running').id)?.phase).toBeUndefined();
    // Restored fingerprints still guard against duplicates, except for the canceled job.
    const again = await restored.add([join(root, 'tree')], target);
    expect(again.added.map((entry) => entry.name)).toEqual(['canceled.bin']);
  }

  it('restores done, paused, failed and in-flight jobs exactly (JSON file)', async () => {
    const statePath = join(root, 'state', 'queue.json');
    await roundTrip(() => createJsonFilePersistence(statePath));
  });

  it('restores exactly through the memory port too', async () => {
    const shared = createMemoryPersistence();
    await roundTrip(() => shared);
  });

  it('starts empty without a state file, and persists removals', async () => {
    const statePath = join(root, 'queue.json');
    const queue = createUploadQueue(createJsonFilePersistence(statePath));
    await queue.restore();
    expect(queue.list()).toEqual([]);
    await queue.add([await file('a.txt'), await file('b.txt')], target);
    queue.remove(queue.list()[0]!.id);
    await queue.flush();
    const restored = createUploadQueue(createJsonFilePersistence(statePath));
    await restored.restore();
    expect(byPath(restored.list()).map((job) => job.name)).toEqual(['b.txt']);
  });

  it('a save queued behind a slow one writes the list as it is then', async () => {
    const path = await file('slow-a.txt');
    const other = await file('slow-b.txt');
    const memory = createMemoryPersistence();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = {
      load: () => memory.load(),
      save: async (state: Parameters<typeof memory.save>[0]) => (await gate, memory.save(state)),
    };
    const queue = createUploadQueue(slow);
    const adding = queue.add([path, other], target);
    await vi.waitFor(() => expect(queue.list()).toHaveLength(2));
    const second = queue.flush();
    queue.remove(queue.list()[0]!.id);
    release();
    await adding;
    await second;
    expect(memory.state?.jobs.map((job) => job.name)).toEqual(['slow-b.txt']);
  });

  it('serves many flushes asked for during a slow save with one more save, which sees every change', async () => {
    const paths = await Promise.all(['f1', 'f2', 'f3'].map((name) => file(`${name}.txt`)));
    const memory = createMemoryPersistence();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const slow = {
      load: () => memory.load(),
      save: async (state: Parameters<typeof memory.save>[0]) => (started++, await gate, memory.save(state)),
    };
    const queue = createUploadQueue(memory);
    await queue.add(paths, target);
    const blocked = createUploadQueue(slow);
    await blocked.restore();
    // A flush with nothing to save writes nothing: give the first one something.
    blocked.update(blocked.list()[0]!.id, { status: 'paused' });
    const first = blocked.flush();
    await vi.waitFor(() => expect(started).toBe(1));
    const waiting = [];
    for (const [index, job] of blocked.list().entries()) {
      blocked.update(job.id, { status: 'completed', acknowledged: index });
      waiting.push(blocked.flush());
    }
    const savedBefore = memory.saved;
    release();
    await Promise.all([first, ...waiting]);
    // One save was running; every later flush rode on the single save queued behind it.
    expect(memory.saved - savedBefore).toBe(2);
    expect(memory.state?.jobs.map((job) => job.status)).toEqual(['completed', 'completed', 'completed']);
  });
});

describe('change notifications', () => {
  it('reports added, updated, removed and moved jobs, and everything after a restore', async () => {
    const paths = await Promise.all(['a', 'b'].map((name) => file(`${name}.txt`)));
    const memory = createMemoryPersistence();
    const queue = createUploadQueue(memory);
    const seen: (string[] | 'all')[] = [];
    const stop = queue.onChange((ids) => seen.push(ids));
    const { added } = await queue.add(paths, target);
    const [a, b] = added.map((job) => job.id);
    expect(seen).toEqual([[a, b]]);
    queue.update(a!, { acknowledged: 1 });
    queue.update('no-such-id', { acknowledged: 1 });
    queue.move(b!, 0);
    queue.move('no-such-id', 0);
    queue.remove(a!);
    queue.remove('no-such-id');
    expect(seen).toEqual([[a, b], [a], 'all', [a]]);
    await queue.flush();
    await queue.restore();
    expect(seen.at(-1)).toBe('all');
    stop();
    queue.update(b!, { acknowledged: 1 });
    expect(seen).toHaveLength(5);
  });

  it('keeps notifying the other listeners when one throws', async () => {
    const queue = createUploadQueue(createMemoryPersistence());
    const seen: unknown[] = [];
    queue.onChange(() => {
      throw new Error('window gone');
    });
    queue.onChange((ids) => seen.push(ids));
    const { added } = await queue.add([await file('x.txt')], target);
    expect(seen).toEqual([[added[0]!.id]]);
  });
});

describe('removeFinished', () => {
  it('drops completed and canceled jobs, keeps the rest in order, persists and reports them', async () => {
    const names = ['done', 'queued', 'canceled', 'failed', 'paused'];
    const paths = await Promise.all(names.map((name) => file(`${name}.txt`, name)));
    const memory = createMemoryPersistence();
    const queue = createUploadQueue(memory, { saveDelayMs: 5 });
    await queue.add(paths, target);
    const id = (name: string) => queue.list().find((job) => job.name === `${name}.txt`)!.id;
    const [done, canceled] = [id('done'), id('canceled')];
    queue.update(done, { status: 'completed' });
    queue.update(canceled, { status: 'canceled' });
    queue.update(id('failed'), { status: 'failed' });
    queue.update(id('paused'), { status: 'paused' });
    const seen: (string[] | 'all')[] = [];
    queue.onChange((ids) => seen.push(ids));
    expect(queue.removeFinished()).toBe(2);
    expect(queue.list().map((job) => job.name)).toEqual(['queued.txt', 'failed.txt', 'paused.txt']);
    expect(queue.get(done)).toBeUndefined();
    expect(seen).toEqual([[done, canceled]]);
    await vi.waitFor(() =>
      expect(memory.state?.jobs.map((job) => job.name)).toEqual(['queued.txt', 'failed.txt', 'paused.txt']),
    );
    // The completed file no longer counts as queued, so it may be sent again.
    expect((await queue.add([paths[0]!], target)).added).toHaveLength(1);
    expect(queue.removeFinished()).toBe(0);
    expect(seen).toHaveLength(2);
  });
});
