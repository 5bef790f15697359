import { describe, expect, it } from 'vitest';
import { walkEntries, type DirectoryEntryLike, type EntryLike, type FileEntryLike } from './dropped-entries';

// Entries as Chromium hands them out: callbacks called back later, a folder read in batches of at most 100.
const later = (run: () => void) => void Promise.resolve().then(run);

function fileEntry(name: string, size = name.length, fails = false): FileEntryLike {
  return {
    name,
    isFile: true,
    isDirectory: false,
    file: (success, failure) =>
      later(() => (fails ? failure?.(new Error('NotReadableError')) : success(new File(['x'.repeat(size)], name)))),
  };
}

function folderEntry(name: string, children: EntryLike[], batch = 100): DirectoryEntryLike & { reads: number } {
  const folder = {
    name,
    isFile: false,
    isDirectory: true,
    reads: 0,
    createReader() {
      let next = 0;
      return {
        readEntries(success: (entries: EntryLike[]) => void) {
          folder.reads += 1;
          const slice = children.slice(next, next + batch);
          next += slice.length;
          later(() => success(slice));
        },
      };
    },
  };
  return folder;
}

const paths = async (entries: EntryLike[]) => (await walkEntries(entries)).map((picked) => picked.path);

describe('walking a drop', () => {
  it('reads a big folder batch by batch until the reader comes back empty', async () => {
    const names = Array.from({ length: 250 }, (_, index) => `photo-${String(index).padStart(3, '0')}.jpg`);
    const folder = folderEntry(
      'camera',
      names.map((name) => fileEntry(name)),
    );
    const walked = await walkEntries([folder]);
    expect(walked.map((picked) => picked.path)).toEqual(names.map((name) => `camera/${name}`));
    // 100 + 100 + 50, then the empty batch that says there are no more.
    expect(folder.reads).toBe(4);
    expect(walked[7]!.file.name).toBe('photo-007.jpg');
  });

  it('goes down nested folders, each file with its path from the dropped folder', async () => {
    const deep = folderEntry('deeper', [fileEntry('two.bin', 300), folderEntry('empty', [])]);
    const album = folderEntry('album', [fileEntry('one.bin', 700), deep, fileEntry('three.txt')]);
    const walked = await walkEntries([album, fileEntry('loose.txt')]);
    expect(walked.map((picked) => [picked.path, picked.file.size])).toEqual([
      ['album/one.bin', 700],
      ['album/deeper/two.bin', 300],
      ['album/three.txt', 9],
      ['loose.txt', 9],
    ]);
  });

  it('finds every file of a tree wider than one batch at several levels', async () => {
    const wide = (prefix: string, count: number) =>
      Array.from({ length: count }, (_, index) => fileEntry(`${prefix}${index}.txt`));
    const tree = folderEntry('root', [
      ...wide('a', 120),
      folderEntry('sub', [...wide('b', 101), folderEntry('subsub', wide('c', 205), 64)], 50),
    ]);
    const found = await paths([tree]);
    expect(found).toHaveLength(120 + 101 + 205);
    expect(new Set(found).size).toBe(found.length);
    expect(found).toContain('root/sub/subsub/c204.txt');
    expect(found).toContain('root/sub/b100.txt');
  });

  it('leaves out what the browser will not read, and sends the rest', async () => {
    const broken: DirectoryEntryLike = {
      name: 'locked',
      isFile: false,
      isDirectory: true,
      createReader: () => ({ readEntries: (_success, failure) => later(() => failure?.(new Error('SecurityError'))) }),
    };
    const found = await paths([folderEntry('mixed', [fileEntry('ok.txt'), fileEntry('gone.txt', 1, true), broken])]);
    expect(found).toEqual(['mixed/ok.txt']);
  });
});
