// What a measured run landed on a Ferry receiver: checked right after the run, by this run's own
// names, and then removed or kept until the pass ends, by one rule for every bench.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { removeStored, sha256OfFile, walk } from './files';
import { inBatches } from './sender-fixtures';

export interface Expected {
  /** The name the receiver stores it under (the basename the sender sends). */
  filename: string;
  size: number;
  sha256: string;
}

/**
 * A run of many files keeps them in the receive folder until the pass ends (its caller removes the
 * folder whole); a lone big file goes right away, so disk use stays flat. Deleting thousands of files
 * right before the next run makes that run pay for them: on ext4 without a journal (this machine's
 * root) creating a file scans every inode of its block group deleted in the last minute, which swung
 * either sender's rate by 2× depending on what the run before it had left to delete.
 */
export const keptUntilPassEnds = (files: number): boolean => files > 1;

/** "a (2).bin" → "a.bin": the receiver's suffix for a name already taken, so repeats count as the run's. */
const withoutRepeatSuffix = (name: string) => name.replace(/ \(\d+\)(?=\.[^.]*$|$)/, '');

/** Landed files by name (first found wins), and how many landed under one of `names`, repeats included. */
async function findLanded(
  recvDir: string,
  names: Set<string>,
): Promise<{ byName: Map<string, string>; count: number }> {
  const byName = new Map<string, string>();
  let count = 0;
  for await (const path of walk(recvDir)) {
    const name = basename(path);
    if (!names.has(withoutRepeatSuffix(name))) continue;
    count += 1;
    if (!byName.has(name)) byName.set(name, path);
  }
  return { byName, count };
}

/**
 * Every expected file must have landed once, with the right size, and with `hash` the right sha256.
 * Only this run's names are looked at: files kept from earlier runs cannot answer for this one.
 * Then the files go or stay as `keptUntilPassEnds` says, whether the check passed or not.
 */
export async function checkLanded(recvDir: string, expected: Expected[], hash: boolean): Promise<'sha256' | 'size'> {
  const { byName, count } = await findLanded(recvDir, new Set(expected.map((e) => e.filename)));
  const paths = expected.map((e) => byName.get(e.filename));
  try {
    const problems = await inBatches(expected, (e, i) => problemOf(e, paths[i], hash));
    const bad = problems.filter((p): p is string => p !== undefined);
    if (count !== expected.length) bad.push(`${count} file(s) of this run landed, ${expected.length} sent`);
    if (bad.length > 0) throw new Error(`${bad.length} problem(s) in ${expected.length} file(s); first: ${bad[0]}`);
    return hash ? 'sha256' : 'size';
  } finally {
    if (!keptUntilPassEnds(expected.length)) await removeStored('ferry', paths);
  }
}

async function problemOf(e: Expected, path: string | undefined, hash: boolean): Promise<string | undefined> {
  if (path === undefined) return `${e.filename} did not land`;
  const info = await stat(path).catch(() => undefined);
  if (!info) return `${e.filename} vanished`;
  if (info.size !== e.size) return `${e.filename}: landed ${info.size} bytes, sent ${e.size}`;
  if (hash && (await sha256OfFile(path)) !== e.sha256) return `${e.filename}: sha256 differs from the source`;
  return undefined;
}

/** After a failed run: what it landed goes or stays by the same rule as after a check. */
export async function clearFailedRun(recvDir: string, filenames: string[]): Promise<void> {
  if (filenames.length === 0 || keptUntilPassEnds(filenames.length)) return;
  const { byName } = await findLanded(recvDir, new Set(filenames));
  await removeStored('ferry', [...byName.values()]);
}
