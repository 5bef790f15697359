import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isFerryError } from '../../errors';
import * as atomicFile from '../../fs/atomic-file';
import { createReceiveFolder, type ReceiveFolder } from './receive-folder';

let base: string;
let dir: string;
let incoming: string;
let folder: ReceiveFolder;
let sourceCount = 0;

async function source(content: string): Promise<string> {
  sourceCount += 1;
  const file = path.join(incoming, `upload-${sourceCount}.bin`);
  await writeFile(file, content);
  return file;
}

/** Every regular file under `root`, relative, with `/`. */
async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

function expectInside(absolutePath: string, root: string): void {
  const rel = path.relative(root, absolutePath);
  expect(rel.startsWith('..') || path.isAbsolute(rel), `${absolutePath} escapes ${root}`).toBe(false);
}

beforeEach(async () => {
  base = await realpath(await mkdtemp(path.join(os.tmpdir(), 'ferry-rf-')));
  dir = path.join(base, 'received');
  incoming = path.join(base, 'incoming');
  await mkdir(incoming);
  folder = createReceiveFolder({ dir });
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

// Both ways a file can land: reserve + rename (tus), and link(2) + unlink (staged multipart bodies).
describe.each([
  ['by rename', {}],
  ['by link', { byLink: true }],
] as const)('place %s', (_way, options) => {
  beforeEach(() => {
    const plain = folder;
    folder = { ...plain, place: (src, target, more) => plain.place(src, target, { ...options, ...more }) };
  });

  it('moves the file under its sanitized name and creates the receive folder', async () => {
    const src = await source('hello');
    const placed = await folder.place(src, { filename: 'greeting.txt' });
    expect(placed).toEqual({ absolutePath: path.join(dir, 'greeting.txt'), relativePath: 'greeting.txt' });
    expect(await readFile(placed.absolutePath, 'utf8')).toBe('hello');
    expect(existsSync(src)).toBe(false);
  });

  it('never overwrites: collisions get " (1)", " (2)" before the extension', async () => {
    await mkdir(dir);
    await writeFile(path.join(dir, 'a.txt'), 'original');
    const first = await folder.place(await source('one'), { filename: 'a.txt' });
    const second = await folder.place(await source('two'), { filename: 'a.txt' });
    expect(first.relativePath).toBe('a (1).txt');
    expect(second.relativePath).toBe('a (2).txt');
    expect(await readFile(path.join(dir, 'a.txt'), 'utf8')).toBe('original');
    expect(await readFile(first.absolutePath, 'utf8')).toBe('one');
    expect(await readFile(second.absolutePath, 'utf8')).toBe('two');
  });

  it('places files in sanitized sub-folders from relativePath, reported with "/"', async () => {
    const placed = await folder.place(await source('x'), { filename: 'a.jpg', relativePath: 'photos\\2024/a.jpg' });
    expect(placed.relativePath).toBe('photos/2024/a.jpg');
    expect(placed.absolutePath).toBe(path.join(dir, 'photos', '2024', 'a.jpg'));
    const dirOnly = await folder.place(await source('y'), { filename: 'b.jpg', relativePath: 'photos/2024/' });
    expect(dirOnly.relativePath).toBe('photos/2024/b.jpg');
  });

  it.each([
    ['../../escape.txt', '../../x/escape.txt'],
    ['/etc/passwd', '/etc/passwd'],
    ['..\\..\\win.ini', '..\\..\\Windows\\win.ini'],
    ['C:\\x\\con.txt', 'C:\\x\\con.txt'],
    ['\\\\server\\share\\a.txt', '\\\\server\\share\\d\\a.txt'],
    ['..', '../../..'],
  ])('traversal attempt (filename %j, relativePath %j) ends inside dir', async (filename, relativePath) => {
    const placed = await folder.place(await source('data'), { filename, relativePath });
    expectInside(placed.absolutePath, dir);
    expect(placed.relativePath.split('/')).not.toContain('..');
    expect(await listFiles(base)).toEqual([`received/${placed.relativePath}`]);
  });

  it('gives 20 concurrent places of one name 20 distinct files', async () => {
    const sources = await Promise.all(Array.from({ length: 20 }, (_, i) => source(`content ${i}`)));
    const placed = await Promise.all(
      sources.map((src) => folder.place(src, { filename: 'same.txt', relativePath: 'sub/same.txt' })),
    );
    const names = placed.map((p) => p.relativePath);
    expect(new Set(names).size).toBe(20);
    expect(names).toContain('sub/same.txt');
    expect(names).toContain('sub/same (19).txt');
    const contents = await Promise.all(placed.map((p) => readFile(p.absolutePath, 'utf8')));
    expect(contents.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `content ${i}`).sort());
  });

  it('refuses a sub-folder that is a symlink leading outside (PATH_OUTSIDE_RECEIVE_FOLDER)', async () => {
    const outside = path.join(base, 'outside');
    await mkdir(outside);
    await mkdir(dir);
    await symlink(outside, path.join(dir, 'photos'));
    const src = await source('secret');
    const error: unknown = await folder
      .place(src, { filename: 'a.jpg', relativePath: 'photos/deeper/a.jpg' })
      .catch((e: unknown) => e);
    expect(isFerryError(error) && error.code).toBe('PATH_OUTSIDE_RECEIVE_FOLDER');
    // Nothing was created through the link, and the source is untouched.
    expect(await readdir(outside)).toEqual([]);
    expect(await readFile(src, 'utf8')).toBe('secret');
  });

  it('follows a symlinked sub-folder that stays inside the receive folder', async () => {
    await mkdir(path.join(dir, 'real'), { recursive: true });
    await symlink(path.join(dir, 'real'), path.join(dir, 'alias'));
    const placed = await folder.place(await source('ok'), { filename: 'a.txt', relativePath: 'alias/a.txt' });
    expect(await readFile(path.join(dir, 'real', 'a.txt'), 'utf8')).toBe('ok');
    expect(placed.relativePath).toBe('alias/a.txt');
  });

  it('does not write through a planted file symlink of the same name', async () => {
    const victim = path.join(base, 'victim.txt');
    await writeFile(victim, 'keep me');
    await mkdir(dir);
    await symlink(victim, path.join(dir, 'a.txt'));
    const placed = await folder.place(await source('new'), { filename: 'a.txt' });
    expect(placed.relativePath).toBe('a (1).txt');
    expect(await readFile(victim, 'utf8')).toBe('keep me');
  });

  it('refuses when a file is in the way of a sub-folder (PATH_NOT_A_DIRECTORY) and cleans up', async () => {
    await mkdir(dir);
    await writeFile(path.join(dir, 'photos'), 'a file');
    for (const relativePath of ['photos/a.jpg', 'photos/deeper/a.jpg']) {
      const error: unknown = await folder
        .place(await source('x'), { filename: 'a.jpg', relativePath })
        .catch((e: unknown) => e);
      expect(isFerryError(error) && error.code).toBe('PATH_NOT_A_DIRECTORY');
    }
    expect(await listFiles(dir)).toEqual(['photos']);
  });

  it('removes the reserved name when the source is missing', async () => {
    await expect(folder.place(path.join(incoming, 'missing'), { filename: 'a.txt' })).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(await listFiles(dir)).toEqual([]);
  });

  it('keeps suffixed names within 255 bytes', async () => {
    const long = `${'名'.repeat(90)}.txt`;
    const first = await folder.place(await source('1'), { filename: long });
    const second = await folder.place(await source('2'), { filename: long });
    expect(Buffer.byteLength(path.basename(first.absolutePath))).toBeLessThanOrEqual(255);
    expect(Buffer.byteLength(path.basename(second.absolutePath))).toBeLessThanOrEqual(255);
    expect(second.relativePath.endsWith(' (1).txt')).toBe(true);
  });

  // rename(2) cannot cross file systems (EXDEV); /dev/shm is usually a tmpfs apart from the temp dir.
  const shm = '/dev/shm';
  const crossDevice = existsSync(shm) && statSync(shm).dev !== statSync(os.tmpdir()).dev;
  it.skipIf(!crossDevice)(
    'falls back to copy + unlink across file systems (EXDEV) [needs /dev/shm on another device]',
    async () => {
      const other = await mkdtemp(path.join(shm, 'ferry-rf-'));
      try {
        const src = path.join(other, 'cross.bin');
        await writeFile(src, 'across devices');
        expect((await stat(src)).dev).not.toBe((await stat(base)).dev);
        const placed = await folder.place(src, { filename: 'cross.bin' });
        expect(await readFile(placed.absolutePath, 'utf8')).toBe('across devices');
        expect(existsSync(src)).toBe(false);
      } finally {
        await rm(other, { recursive: true, force: true });
      }
    },
  );
});

describe('claim', () => {
  it('holds a free name without creating anything, and place() lands there', async () => {
    const claim = await folder.claim('stream.bin', 'in/coming/x');
    expect(claim.relativePath).toBe('in/coming/stream.bin');
    expect(existsSync(claim.absolutePath)).toBe(false);
    const placed = await folder.place(await source('streamed'), claim);
    expect(placed).toEqual({ absolutePath: claim.absolutePath, relativePath: claim.relativePath });
    expect(await readFile(placed.absolutePath, 'utf8')).toBe('streamed');
  });

  it('gives concurrent claims, and any place() meanwhile, different names', async () => {
    const claims = await Promise.all(Array.from({ length: 4 }, () => folder.claim('../x.txt')));
    expect(claims.map((c) => c.relativePath).sort()).toEqual(['x (1).txt', 'x (2).txt', 'x (3).txt', 'x.txt']);
    const other = await folder.place(await source('other'), { filename: 'x.txt' });
    expect(other.relativePath).toBe('x (4).txt');
    for (const c of claims) expectInside(c.absolutePath, dir);
    // Released unused, a name is free again.
    claims.find((c) => c.relativePath === 'x.txt')!.release();
    expect((await folder.claim('x.txt')).relativePath).toBe('x.txt');
  });

  it('passes over names already on disk, and never overwrites one taken after the claim', async () => {
    await mkdir(dir);
    await writeFile(path.join(dir, 'a.txt'), 'original');
    const claim = await folder.claim('a.txt');
    expect(claim.relativePath).toBe('a (1).txt');
    await writeFile(claim.absolutePath, 'someone else');
    const placed = await folder.place(await source('mine'), claim);
    expect(placed.relativePath).toBe('a (2).txt');
    expect(await readFile(path.join(dir, 'a (1).txt'), 'utf8')).toBe('someone else');
    expect(await readFile(placed.absolutePath, 'utf8')).toBe('mine');
  });
});

describe('linkTarget', () => {
  it('names the first free-looking name in the sanitized sub-folder, passing over claimed ones', async () => {
    const target = await folder.linkTarget({ filename: '../b.txt', relativePath: 'y/b.txt' });
    expect(target?.relativePath).toBe('y/b.txt');
    expect(target?.absolutePath).toBe(path.join(dir, 'y', 'b.txt'));
    // Nothing is created under it: the link is made elsewhere.
    expect(existsSync(target!.absolutePath)).toBe(false);
    const claim = await folder.claim('b.txt', 'y/b.txt');
    expect(claim.relativePath).toBe('y/b.txt');
    expect((await folder.linkTarget({ filename: 'b.txt', relativePath: 'y/b.txt' }))?.relativePath).toBe('y/b (1).txt');
  });

  it('names nothing when the sub-folder cannot be made: place() then says why', async () => {
    await mkdir(dir);
    await writeFile(path.join(dir, 'blocked'), 'a file where a folder would go');
    expect(await folder.linkTarget({ filename: 'c.txt', relativePath: 'blocked/c.txt' })).toBeUndefined();
    await expect(
      folder.place(await source('c'), { filename: 'c.txt', relativePath: 'blocked/c.txt' }),
    ).rejects.toMatchObject({
      code: 'PATH_NOT_A_DIRECTORY',
    });
  });
});

describe('landing durably', () => {
  it('fsyncs the folder a file lands in when durable, so a power cut cannot undo the rename, and not otherwise', async () => {
    const synced = vi.spyOn(atomicFile, 'syncDirectory');
    try {
      const durableFolder = createReceiveFolder({ dir, durable: true });
      const placed = await durableFolder.place(await source('kept'), { filename: 'a.txt', relativePath: 'trip/a.txt' });
      expect(synced).toHaveBeenCalledWith(path.dirname(placed.absolutePath));
      synced.mockClear();
      await createReceiveFolder({ dir, durable: false }).place(await source('quick'), { filename: 'b.txt' });
      expect(synced).not.toHaveBeenCalled();
    } finally {
      synced.mockRestore();
    }
  });
});

describe('checked folders', () => {
  it('lands again in a sub-folder that was removed after an earlier file landed in it', async () => {
    await folder.place(await source('one'), { filename: 'a.txt', relativePath: 'photos/2024/a.txt' });
    await rm(path.join(dir, 'photos'), { recursive: true, force: true });
    const placed = await folder.place(await source('two'), { filename: 'b.txt', relativePath: 'photos/2024/b.txt' });
    expect(placed.relativePath).toBe('photos/2024/b.txt');
    expect(await readFile(path.join(dir, 'photos', '2024', 'b.txt'), 'utf8')).toBe('two');
  });

  it('leaves no second name of a landed file behind, and never overwrites a file of the same name', async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'a.txt'), 'theirs');
    const staged = await source('ours');
    const placed = await folder.place(staged, { filename: 'a.txt' });
    expect(placed.relativePath).toBe('a (1).txt');
    expect(existsSync(staged)).toBe(false);
    expect(await readFile(path.join(dir, 'a.txt'), 'utf8')).toBe('theirs');
    expect(statSync(placed.absolutePath).nlink).toBe(1);
  });
});
