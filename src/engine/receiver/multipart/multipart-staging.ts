import fs from 'node:fs';
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

type Done = (error: NodeJS.ErrnoException | null) => void;

/** A staged file open by its bare descriptor: a small file costs no FileHandle (an object and its finalizer). */
class StagedDescriptor implements SyncableFile {
  constructor(
    readonly path: string,
    private readonly fd: number,
  ) {}
  sync(): Promise<void> {
    // Through the module object (not a bound import), so it is the fsync in use when it is called.
    return new Promise((resolve, reject) => fs.fsync(this.fd, (error) => (error ? reject(error) : resolve())));
  }
  close(): Promise<void> {
    return new Promise((resolve, reject) => fs.close(this.fd, (error) => (error ? reject(error) : resolve())));
  }
}

const { O_WRONLY, O_CREAT, O_EXCL } = fs.constants;
const createNew = O_WRONLY | O_CREAT | O_EXCL;

/** Writes `chunks` at `position` on, again from where it stopped after a short write (e.g. just before ENOSPC). */
function writeAll(fd: number, chunks: Buffer[], position: number, done: Done): void {
  fs.writev(fd, chunks, position, (error, written) => {
    if (error) return done(error);
    // No byte taken and no error: the file system would loop here forever.
    if (written === 0) return done(Object.assign(new Error('The disk took no bytes'), { code: 'EIO' }));
    let rest = written;
    let next = 0;
    while (next < chunks.length && rest >= chunks[next]!.length) rest -= chunks[next++]!.length;
    if (next === chunks.length) return done(null);
    const left = chunks.slice(next);
    left[0] = left[0]!.subarray(rest);
    writeAll(fd, left, position + written, done);
  });
}

const openNew = (path: string) =>
  new Promise<number>((resolve, reject) =>
    fs.open(path, createNew, (error, fd) => (error ? reject(error) : resolve(fd))),
  );

/**
 * A new staged file holding `chunks` (`size` bytes), written in one call; it is left open, not yet
 * synced. On failure nothing is left behind.
 */
export async function writeStagedFile(dir: string, id: string, chunks: Buffer[], size: number): Promise<SyncableFile> {
  const path = join(dir, `${id}.part`);
  const fd = await inStagingDir(dir, () => openNew(path));
  if (size > 0)
    await new Promise<void>((resolve, reject) =>
      writeAll(fd, chunks, 0, (failed) => {
        if (!failed) return resolve();
        fs.close(fd, () => fs.unlink(path, () => reject(failed)));
      }),
    );
  return new StagedDescriptor(path, fd);
}

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
