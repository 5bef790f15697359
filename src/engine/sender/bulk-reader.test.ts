import { createHash } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { makeTempDir, removeDir } from '../../../test/support/files';
import { createBulkReader } from './bulk-reader';

const threads = vi.hoisted(() => ({ started: 0 }));
vi.mock('node:worker_threads', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:worker_threads')>();
  class CountedWorker extends real.Worker {
    constructor(...args: ConstructorParameters<typeof real.Worker>) {
      super(...args);
      threads.started++;
    }
  }
  return { ...real, Worker: CountedWorker };
});

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('bulk-reader');
  threads.started = 0;
});
afterEach(async () => {
  await removeDir(dir);
});

it('starts its thread on warm(), once, and reads each file whole with its sha256 on that thread', async () => {
  const reader = createBulkReader();
  try {
    expect(threads.started).toBe(0);
    reader.warm();
    reader.warm();
    expect(threads.started).toBe(1);
    const sources = await Promise.all(
      ['a', 'b'].map(async (name, i) => {
        const path = join(dir, name);
        await writeFile(path, Buffer.alloc(1000 + i, name));
        const info = await stat(path);
        return { path, size: info.size, mtimeMs: info.mtimeMs };
      }),
    );
    const files = await Promise.all(reader.read(sources));
    expect(threads.started).toBe(1);
    expect(files.map((file) => file.data.length)).toEqual([1000, 1001]);
    expect(files[1]!.sha256).toBe(createHash('sha256').update(Buffer.alloc(1001, 'b')).digest('hex'));
  } finally {
    await reader.close();
  }
});
