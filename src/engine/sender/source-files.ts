import type { Stats } from 'node:fs';
import { statSync } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** Files whose stat is asked for ahead of the one being queued. */
const statsAhead = 32;

/** Every file under `root`, depth first, in the order the directory lists them. */
export async function* walk(root: string): AsyncGenerator<string> {
  // Entries read 256 at a time: one call into the thread pool per 256 names, not per 32.
  const dir = await opendir(root, { bufferSize: 256 });
  for await (const entry of dir) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

/**
 * Each path with its stat, in the order given, with up to `statsAhead` stats in flight. One stat at
 * a time wakes a thread-pool thread per file and waits on it: about 120 µs of CPU a file, against
 * some 30 µs when they overlap. A failed stat is thrown where its path comes, as an awaited one was.
 * `blocking`: each stat a blocking call instead, some 5 µs a file, for a process with nothing else
 * to serve meanwhile (the CLI adding its files before it sends); a slow disk then holds everything.
 */
export async function* withStats(
  paths: AsyncIterable<string> | Iterable<string>,
  { blocking = false }: { blocking?: boolean } = {},
): AsyncGenerator<[string, Stats]> {
  if (blocking) {
    for await (const path of paths) yield [path, statSync(path)];
    return;
  }
  const ahead: { path: string; info: Promise<Stats> }[] = [];
  try {
    for await (const path of paths) {
      const info = stat(path);
      // Read later, or never if an earlier one failed: not an unhandled rejection meanwhile.
      info.catch(() => undefined);
      ahead.push({ path, info });
      if (ahead.length >= statsAhead) {
        const next = ahead.shift()!;
        yield [next.path, await next.info];
      }
    }
    while (ahead.length > 0) {
      const next = ahead.shift()!;
      yield [next.path, await next.info];
    }
  } finally {
    ahead.length = 0;
  }
}

/**
 * `path` relative to `root`, with `/`. A folder's files come from a walk of it, so their paths start
 * with `root` as it is: cut off, not `relative()`, which resolves both paths again (about 10 µs a file).
 */
export function relativeTo(root: string, path: string): string {
  const start = root.endsWith(sep) ? root.length : root.length + 1;
  const cut = path.startsWith(root) && (root.endsWith(sep) || path[root.length] === sep);
  const inside = cut ? path.slice(start) : relative(root, path);
  return sep === '/' ? inside : inside.split(sep).join('/');
}
