import { describe, expect, it } from 'vitest';
import { createSyncGroup } from './bulk-sync-group';
import type { SyncableFile } from './multipart-staging';

/** A staged file that only records what was done to it. */
function fakeFile(name: string, log: string[]): SyncableFile {
  return {
    path: name,
    sync: async () => void log.push(`sync ${name}`),
    close: async () => void log.push(`close ${name}`),
  };
}

/** Lets pending promise callbacks and one turn of the loop run. */
const flushed = () => new Promise((resolve) => setImmediate(resolve));

describe('createSyncGroup', () => {
  it('syncs nothing until the body is through, then every waiting file, each before its settle resolves', async () => {
    const log: string[] = [];
    const started: string[] = [];
    const releases: Array<() => void> = [];
    const group = createSyncGroup({
      durable: true,
      sync: (file) => {
        started.push(file.path);
        return new Promise<void>((resolve) => releases.push(resolve)).then(() => void log.push(`sync ${file.path}`));
      },
    });
    const settled: string[] = [];
    const files = ['a', 'b', 'c'].map((name) => fakeFile(name, log));
    const done = files.map((file) => group.settle(file).then(() => void settled.push(file.path)));
    await flushed();
    expect(started).toEqual([]);
    expect(settled).toEqual([]);

    group.end();
    await flushed();
    // Side by side: all three fsyncs are under way before the first one finishes.
    expect(started).toEqual(['a', 'b', 'c']);
    expect(settled).toEqual([]);
    for (const release of releases) release();
    await Promise.all(done);
    expect(settled).toEqual(['a', 'b', 'c']);
    for (const name of ['a', 'b', 'c']) expect(log.indexOf(`sync ${name}`)).toBeLessThan(log.indexOf(`close ${name}`));
  });

  it('fails the file whose fsync failed, alone, and closes its handle', async () => {
    const log: string[] = [];
    const group = createSyncGroup({
      durable: true,
      sync: async (file) => {
        if (file.path === 'b') throw Object.assign(new Error('EIO'), { code: 'EIO' });
        log.push(`sync ${file.path}`);
      },
    });
    const results = Promise.allSettled(['a', 'b', 'c'].map((name) => group.settle(fakeFile(name, log))));
    group.end();
    expect((await results).map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(log).toContain('close b');
    expect(log).not.toContain('sync b');
  });

  it('syncs what it holds once maxWaiting files wait, and a file settled after the end at once', async () => {
    const log: string[] = [];
    const group = createSyncGroup({ durable: true, maxWaiting: 2 });
    const first = Promise.all([group.settle(fakeFile('a', log)), group.settle(fakeFile('b', log))]);
    await first;
    expect(log).toEqual(['sync a', 'sync b', 'close a', 'close b']);
    group.end();
    await group.settle(fakeFile('c', log));
    expect(log.slice(4)).toEqual(['sync c', 'close c']);
  });

  it('without durability closes each file at once and syncs none', async () => {
    const log: string[] = [];
    const group = createSyncGroup({ durable: false });
    await group.settle(fakeFile('a', log));
    expect(log).toEqual(['close a']);
  });
});
