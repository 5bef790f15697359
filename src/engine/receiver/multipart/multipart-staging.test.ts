import fs from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeTempDir, removeDir } from '../../../../test/support/files';
import { writeStagedFile } from './multipart-staging';

let base: string;
beforeEach(async () => {
  base = await makeTempDir('staging');
});
afterEach(async () => {
  vi.restoreAllMocks();
  await removeDir(base);
});

type WritevCallback = (error: NodeJS.ErrnoException | null, written: number, buffers: NodeJS.ArrayBufferView[]) => void;

describe('writeStagedFile', () => {
  it('writes every chunk, in order, however short the writes; its folder is made on first use', async () => {
    const realWritev = fs.writev;
    // As write(2) may: at most 3 bytes a call, from the first buffer only.
    vi.spyOn(fs, 'writev').mockImplementation(((
      fd: number,
      buffers: Buffer[],
      position: number,
      callback: WritevCallback,
    ) => realWritev(fd, [buffers[0]!.subarray(0, 3)], position, callback)) as typeof fs.writev);
    const dir = path.join(base, 'multipart');
    const chunks = [Buffer.from('hello '), Buffer.from(''), Buffer.from('small world')];
    const file = await writeStagedFile(dir, 'one', chunks, 17);
    await file.sync();
    await file.close();
    expect(await readFile(file.path, 'utf8')).toBe('hello small world');
  });

  it('leaves nothing behind when the write fails, and refuses a name that exists', async () => {
    vi.spyOn(fs, 'writev').mockImplementation(((...args: unknown[]) => {
      const callback = args.at(-1) as WritevCallback;
      callback(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }), 0, []);
    }) as typeof fs.writev);
    await expect(writeStagedFile(base, 'full', [Buffer.from('x')], 1)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await readdir(base)).toEqual([]);
    vi.restoreAllMocks();
    const first = await writeStagedFile(base, 'same', [Buffer.from('a')], 1);
    await first.close();
    await expect(writeStagedFile(base, 'same', [Buffer.from('b')], 1)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(first.path, 'utf8')).toBe('a');
  });
});
