// Source files for the benchmark and finding what each server stored.
import { createHash, randomFill } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import type { ServerKind } from './protocol';

const randomFillAsync = promisify(randomFill);
const chunkSize = 8 * 2 ** 20;

export interface SourceFile {
  path: string;
  size: number;
  sha256: string;
}

/** Random bytes, so no layer can compress or dedupe its way to a better score. */
export async function createRandomFile(path: string, size: number): Promise<SourceFile> {
  const hash = createHash('sha256');
  const handle = await open(path, 'w');
  try {
    const buffer = Buffer.allocUnsafe(chunkSize);
    for (let written = 0; written < size;) {
      const chunk = buffer.subarray(0, Math.min(chunkSize, size - written));
      await randomFillAsync(chunk);
      hash.update(chunk);
      await handle.write(chunk, 0, chunk.length);
      written += chunk.length;
    }
  } finally {
    await handle.close();
  }
  return { path, size, sha256: hash.digest('hex') };
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 2 ** 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** What the client knows about an upload: the name it sent and where it went. */
export interface UploadRef {
  filename: string;
  location: string;
}

/**
 * Paths of the stored files, or undefined where a file is missing.
 * Ferry files carry their metadata filename somewhere under the receive dir;
 * FileStore names files by upload id; the pipe uses the name from the URL.
 */
export async function locateStored(kind: ServerKind, dir: string, refs: UploadRef[]): Promise<(string | undefined)[]> {
  if (kind === 'tus') return refs.map((ref) => join(dir, lastSegment(ref.location)));
  if (kind === 'pipe') return refs.map((ref) => join(dir, ref.filename));
  const byName = new Map<string, string>();
  for await (const path of walk(dir)) {
    const name = basename(path);
    if (!byName.has(name)) byName.set(name, path);
  }
  return refs.map((ref) => byName.get(ref.filename));
}

/** Removes stored uploads so disk use and directory size stay flat across runs. */
export async function removeStored(kind: ServerKind, paths: (string | undefined)[]): Promise<void> {
  const targets = paths.filter((path): path is string => path !== undefined);
  // FileStore keeps a JSON sidecar next to each upload.
  const all = kind === 'tus' ? targets.flatMap((path) => [path, `${path}.json`]) : targets;
  for (let i = 0; i < all.length; i += 64) {
    await Promise.all(all.slice(i, i + 64).map((path) => rm(path, { force: true })));
  }
}

/** Every file under `dir`, but not in Ferry's own state folder (staged parts, journals: nothing landed). */
export async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '.ferry') yield* walk(path);
    } else if (entry.isFile()) yield path;
  }
}

function lastSegment(url: string): string {
  const path = new URL(url).pathname.replace(/\/+$/, '');
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}
