// Source files for the sender benchmark, per-run names for them, and the
// check that what landed on the receiver is byte for byte what was sent.
import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { locateStored, removeStored, sha256OfFile } from './files';

export interface Expected {
  /** The name the receiver stores it under (the basename the sender sends). */
  filename: string;
  size: number;
  sha256: string;
}

const batch = 64;

async function inBatches<T, R>(items: T[], each: (item: T, index: number) => Promise<R>): Promise<R[]> {
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

/**
 * Every expected file must have landed with the right size, and with `hash`
 * the right sha256. Landed files are removed either way so disk use stays flat,
 * unless `keep` (the caller removes the whole receive folder later).
 */
export async function checkLanded(
  recvDir: string,
  expected: Expected[],
  hash: boolean,
  keep = false,
): Promise<'sha256' | 'size'> {
  const refs = expected.map((e) => ({ filename: e.filename, location: '' }));
  const paths = await locateStored('ferry', recvDir, refs);
  try {
    const problems = await inBatches(expected, async (e, i) => {
      const path = paths[i];
      if (path === undefined) return `${e.filename} did not land`;
      const info = await stat(path).catch(() => undefined);
      if (!info) return `${e.filename} vanished`;
      if (info.size !== e.size) return `${e.filename}: landed ${info.size} bytes, sent ${e.size}`;
      if (hash && (await sha256OfFile(path)) !== e.sha256) return `${e.filename}: sha256 differs from the source`;
      return undefined;
    });
    const bad = problems.filter((p): p is string => p !== undefined);
    if (bad.length > 0) throw new Error(`${bad.length} of ${expected.length} file(s) wrong; first: ${bad[0]}`);
    return hash ? 'sha256' : 'size';
  } finally {
    if (!keep) await removeStored('ferry', paths);
  }
}

/** Removes landed files nobody checks (warm-ups), found by name. */
export async function discardLanded(recvDir: string, filenames: string[]): Promise<void> {
  if (filenames.length === 0) return;
  await removeStored(
    'ferry',
    await locateStored(
      'ferry',
      recvDir,
      filenames.map((filename) => ({ filename, location: '' })),
    ),
  );
}

export async function removeAll(paths: string[]): Promise<void> {
  await inBatches(paths, (path) => rm(path, { force: true }));
}
