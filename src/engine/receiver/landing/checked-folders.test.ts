import { mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeTempDir, removeDir } from '../../../../test/support/files';
import { createFolderChecker } from './checked-folders';

// Counted: how often a folder is checked (each check resolves every level with realpath).
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, realpath: vi.fn(actual.realpath) };
});

let root: string;
beforeEach(async () => {
  root = await realpath(await makeTempDir('checked-folders'));
  vi.mocked(realpath).mockClear();
});
afterEach(() => removeDir(root));

describe('createFolderChecker', () => {
  it('checks a folder once for many files asking for it at the same moment', async () => {
    const checker = createFolderChecker(root);
    const found = await Promise.all(
      Array.from({ length: 20 }, (_, i) => checker.ensureDirectory(`photos/2024/${i}.jpg`)),
    );
    const realDir = path.join(root, 'photos', '2024');
    expect(new Set(found.map((one) => one.realDir))).toEqual(new Set([realDir]));
    // The root once, then one check: each of its two levels and the folder itself.
    expect(vi.mocked(realpath).mock.calls.length).toBeLessThanOrEqual(4);
  });

  it('keeps no failed check: once the file in the way is gone, the folder is made', async () => {
    const checker = createFolderChecker(root);
    await writeFile(path.join(root, 'photos'), 'a file where a folder goes');
    const tries = await Promise.allSettled([1, 2, 3].map(() => checker.ensureDirectory('photos/a.jpg')));
    expect(tries.map((one) => one.status)).toEqual(['rejected', 'rejected', 'rejected']);
    await rm(path.join(root, 'photos'));
    await mkdir(path.join(root, 'photos'));
    expect((await checker.ensureDirectory('photos/a.jpg')).realDir).toBe(path.join(root, 'photos'));
  });
});
