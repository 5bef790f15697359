import { createHash } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { makeTempDir, removeDir } from '../../../test/support/files';
import type { BandwidthLimiter } from './bandwidth-limiter';
import { bulkBody, type BulkSource } from './bulk-body';
import { closing } from './bulk-client';
import { partHeadText } from './bulk-part-head';
import { createBulkReader, type BulkReader } from './bulk-reader';
import type { QueuedJob } from './queued-job';

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
    const files = await Promise.all(reader.read(sources).map((pending) => pending.file));
    expect(threads.started).toBe(1);
    expect(files.map((file) => file.data.length)).toEqual([1000, 1001]);
    expect(files[1]!.sha256).toBe(createHash('sha256').update(Buffer.alloc(1001, 'b')).digest('hex'));
  } finally {
    await reader.close();
  }
});

/** Files of assorted sizes (an empty one among them), with what reading them must give. */
async function filesOf(sizes: number[]) {
  return Promise.all(
    sizes.map(async (size, i) => {
      const path = join(dir, `f${i}`);
      const bytes = Buffer.alloc(size, `file ${i};`);
      await writeFile(path, bytes);
      const info = await stat(path);
      return {
        source: { path, size, mtimeMs: info.mtimeMs },
        bytes,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      };
    }),
  );
}

it('answers files that follow one another together: all of a group are ready once the first one is', async () => {
  const reader = createBulkReader({ groupMs: 60_000 });
  try {
    const files = await filesOf([3000, 0, 5000, 70]);
    const pending = reader.read(files.map((file) => file.source));
    expect(pending.some((one) => one.ready)).toBe(false);
    await pending[0]!.file;
    expect(pending.map((one) => one.ready)).toEqual([true, true, true, true]);
    const read = await Promise.all(pending.map((one) => one.file));
    expect(read.map((file) => file.sha256)).toEqual(files.map((file) => file.sha256));
    expect(read.map((file) => file.data.length)).toEqual([3000, 0, 5000, 70]);
  } finally {
    await reader.close();
  }
});

it('reads each file right where groups are cut, by size or by time', async () => {
  const sizes = [3000, 5000, 2000, 0, 4000, 1];
  for (const options of [{ groupBytes: 6000 }, { groupMs: 0 }]) {
    const reader = createBulkReader(options);
    try {
      const files = await filesOf(sizes);
      const read = await Promise.all(reader.read(files.map((file) => file.source)).map((one) => one.file));
      expect(read.map((file) => createHash('sha256').update(file.data).digest('hex'))).toEqual(
        files.map((file) => file.sha256),
      );
      expect(read.map((file) => file.sha256)).toEqual(files.map((file) => file.sha256));
    } finally {
      await reader.close();
    }
  }
});

it('a changed file fails alone; the others of its group are read', async () => {
  const reader = createBulkReader({ groupMs: 60_000 });
  try {
    const files = await filesOf([100, 200, 300]);
    const pending = reader.read(files.map((file, i) => (i === 1 ? { ...file.source, size: 201 } : file.source)));
    await expect(pending[1]!.file).rejects.toThrow();
    expect((await pending[0]!.file).sha256).toBe(files[0]!.sha256);
    expect((await pending[2]!.file).sha256).toBe(files[2]!.sha256);
  } finally {
    await reader.close();
  }
});

it('a batch of small files the thread read goes out as one piece of the body', async () => {
  const reader = createBulkReader({ groupMs: 60_000 });
  try {
    const files = await filesOf([3000, 0, 5000, 70]);
    const pieces = await bodyOf(reader, files);
    expect(pieces).toHaveLength(1);
    expect(Buffer.concat(pieces).equals(expectedBody(files))).toBe(true);
  } finally {
    await reader.close();
  }
});

it('a file that changed leaves a gap: the body is still whole, around it', async () => {
  for (const changed of [0, 2, 3]) {
    const reader = createBulkReader({ groupMs: 60_000 });
    try {
      const files = await filesOf([3000, 10, 5000, 70]);
      const unreadable: number[] = [];
      const pieces = await bodyOf(reader, files, changed, unreadable);
      expect(unreadable).toEqual([changed]);
      const kept = files.filter((_, i) => i !== changed);
      expect(Buffer.concat(pieces).toString('latin1')).toBe(expectedBody(kept).toString('latin1'));
    } finally {
      await reader.close();
    }
  }
});

const boundary = 'b';
type Made = Awaited<ReturnType<typeof filesOf>>[number];
const jobOf = ({ source }: Made, i: number) =>
  ({ ...source, id: `job${i}`, name: `f ${i}.bin`, relativePath: `d/f ${i}.bin` }) as QueuedJob;

function expectedBody(files: Made[]): Buffer {
  const parts = files.flatMap((file) => {
    const i = Number(/f(\d+)$/.exec(file.source.path)![1]);
    const job = jobOf(file, i);
    const head = partHeadText(boundary, {
      key: `${job.id}.${file.sha256}`,
      name: job.name,
      relativePath: job.relativePath,
      sha256: file.sha256,
    });
    return [Buffer.from(head), file.bytes, Buffer.from('\r\n')];
  });
  return Buffer.concat([...parts, closing(boundary)]);
}

async function bodyOf(reader: BulkReader, files: Made[], changed = -1, unreadable: number[] = []): Promise<Buffer[]> {
  const sources: BulkSource[] = files.map((file, i) => ({
    job: { ...jobOf(file, i), ...(i === changed ? { size: file.source.size + 1 } : {}) },
    wanted: () => true,
    onRead: () => undefined,
    onUnreadable: () => void unreadable.push(i),
  }));
  const unlimited: BandwidthLimiter = { rate: null, take: async () => undefined, setRate: () => undefined };
  const pieces: Buffer[] = [];
  for await (const piece of bulkBody(sources, boundary, reader, unlimited, new AbortController().signal))
    pieces.push(Buffer.from(piece));
  return pieces;
}
