import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../../errors';
import { stateFolderName } from '../landing/receive-folder';

/**
 * Multipart bodies stream here, in the state folder, until the whole request has arrived; only then
 * do they land in the receive folder, by rename. Same disk as the receive folder, so that rename
 * never turns into a copy; a sync client never sees a growing file, and a crash leaves nothing there.
 */
export function multipartStagingDir(receiveDir: string): string {
  return join(receiveDir, stateFolderName, 'multipart');
}

export interface StagedFile {
  path: string;
  /** Open for writing on a new, empty file; the caller closes it. */
  handle: FileHandle;
}

/** Runs `create` in the staging folder, making the folder first if it is missing. */
async function inStagingDir<T>(dir: string, create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    // First upload, or the state folder was removed while the receiver ran.
    if (errnoCode(error) !== 'ENOENT') throw error;
    await mkdir(dir, { recursive: true });
    return create();
  }
}

export function createStagedFile(dir: string, id: string): Promise<StagedFile> {
  const path = join(dir, `${id}.part`);
  return inStagingDir(dir, async () => ({ path, handle: await open(path, 'wx') }));
}

/** A staged file still open, written whole: to be made durable (bulk-sync-group.ts) and closed. */
export interface SyncableFile {
  readonly path: string;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export const fileToSync = ({ path, handle }: StagedFile): SyncableFile => ({
  path,
  sync: () => handle.sync(),
  close: () => handle.close(),
});

/**
 * At startup every staged file is a body that never finished (kill -9, power cut): a multipart
 * request cannot be resumed, so none is worth keeping. Returns the names removed.
 */
export async function sweepStaging(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
  await Promise.all(names.map((name) => rm(join(dir, name), { recursive: true, force: true })));
  return names;
}
