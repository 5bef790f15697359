import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** fsyncs a directory so a rename inside it survives power loss. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a file so that a reader sees either the old or the new content, never a torn one:
 * temp file, fsync, rename, fsync of the directory. `content` may come in pieces, written in turn, so
 * a large file never has to exist whole in memory.
 */
export async function writeFileAtomic(
  path: string,
  content: string | Iterable<string>,
  durable: boolean,
): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    const handle = await open(temp, 'w');
    try {
      // From the current position on, each whole (writeFile retries a short write).
      for (const piece of typeof content === 'string' ? [content] : content) await handle.writeFile(piece);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    // A failed write (disk full, read-only) must not leave its temp file eating the space it lacked.
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  if (durable) await syncDirectory(dirname(path));
}
