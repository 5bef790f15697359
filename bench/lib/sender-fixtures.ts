// Source files for the sender benchmark and per-run names for them (landed.ts checks what arrived).
import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const batch = 64;

/** `each` over `items`, 64 at a time: thousands of files are never open at once. */
export async function inBatches<T, R>(items: T[], each: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += batch) {
    out.push(...(await Promise.all(items.slice(i, i + batch).map((item, j) => each(item, i + j)))));
  }
  return out;
}

/** Distinct random content per file, so every landed file can be told apart by hash. */
export async function createSmallSet(
  dir: string,
  count: number,
  size: number,
): Promise<{ path: string; size: number; sha256: string }[]> {
  await mkdir(dir, { recursive: true });
  return inBatches(Array.from({ length: count }), async (_, i) => {
    const body = randomBytes(size);
    const path = join(dir, `small-${i}.bin`);
    await writeFile(path, body);
    return { path, size, sha256: createHash('sha256').update(body).digest('hex') };
  });
}

/** Tiny files for the held queue: their content does not matter, their count does. */
export async function createTinySet(dir: string, count: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await inBatches(Array.from({ length: count }), (_, i) => writeFile(join(dir, `tiny-${i}.txt`), `tiny file ${i}\n`));
}

/** Random small files, many of them: they only need to differ, so they are not hashed here. */
export async function createScaleSet(dir: string, count: number, size: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await inBatches(Array.from({ length: count }), (_, i) => writeFile(join(dir, `file-${i}.bin`), randomBytes(size)));
}

/** Files under `dir` (one level) and their total size. */
export async function countFiles(dir: string): Promise<{ files: number; bytes: number }> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const sizes = await inBatches(names, async (name) => (await stat(join(dir, name))).size);
  return { files: names.length, bytes: sizes.reduce((sum, size) => sum + size, 0) };
}

/**
 * Gives each run its own file names without copying bytes: Ferry sends a
 * file's basename, and the receiver would otherwise suffix repeats " (1)".
 * Hard links keep size and mtime; a symlink is the fallback.
 */
export async function linkAs(sources: string[], dir: string, names: string[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  return inBatches(sources, async (source, i) => {
    const path = join(dir, names[i]!);
    await link(source, path).catch(() => symlink(source, path));
    return path;
  });
}

export async function removeAll(paths: string[]): Promise<void> {
  await inBatches(paths, (path) => rm(path, { force: true }));
}
