import { stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The file store's layout: `<id>` holds the bytes (its size is the offset), `<id>.info` the record of
 * an upload not done yet; `finished/<bucket>/<id>.info` the records of finished ones, by when they
 * finished; `quarantine/` what a crash left that cannot be trusted.
 */
export const infoSuffix = '.info';
/** `<id>.pending` holds the offset a checksummed chunk started at, while it is unverified. */
export const pendingSuffix = '.pending';

export interface StorePaths {
  dataPath(id: string): string;
  infoPath(id: string): string;
  pendingPath(id: string): string;
  finishedDir: string;
  quarantineDir: string;
}

export function storePaths(dir: string): StorePaths {
  return {
    dataPath: (id) => join(dir, id),
    infoPath: (id) => join(dir, id + infoSuffix),
    pendingPath: (id) => join(dir, id + pendingSuffix),
    finishedDir: join(dir, 'finished'),
    quarantineDir: join(dir, 'quarantine'),
  };
}

/** A file's size, or undefined when it does not exist. */
export async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
