import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, open, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, FerryError } from '../../errors';
import { sanitizeDisplayName, sanitizeRelativeDir, withCollisionSuffix } from './sanitize-filename';

export interface PlacedFile {
  /** Where the file now lives (under the real path of the receive folder). */
  absolutePath: string;
  /** Relative to the receive folder, always with `/`. */
  relativePath: string;
}

export interface OpenedFile extends PlacedFile {
  /** Open for writing on a freshly created, empty file; the caller must close it. */
  handle: FileHandle;
}

export interface PlaceTarget {
  /** Client-supplied display name; sanitized here. */
  filename: string;
  /** Client-supplied path such as "photos/2024/a.jpg"; only its directory part is used. */
  relativePath?: string;
}

export interface ReceiveFolder {
  readonly dir: string;
  place(sourcePath: string, target: PlaceTarget): Promise<PlacedFile>;
  open(filename: string, relativePath?: string): Promise<OpenedFile>;
}

export interface ReceiveFolderDeps {
  dir: string;
}

/** The receiver keeps its own state in this folder of the receive folder; no client folder may land in it. */
export const stateFolderName = '.ferry';

/** " (1)" … " (9999)"; past that something is wrong (or hostile) and we stop probing. */
const MAX_COLLISION_SUFFIX = 9999;

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

function outside(candidate: string, cause?: unknown): FerryError {
  return new FerryError('PATH_OUTSIDE_RECEIVE_FOLDER', `Refusing to write outside the receive folder (${candidate})`, {
    status: 403,
    cause,
  });
}

function notADirectory(segments: string[], cause?: unknown): FerryError {
  return new FerryError('PATH_NOT_A_DIRECTORY', `A file is in the way of folder ${segments.join('/')}`, {
    status: 409,
    cause,
  });
}

export function createReceiveFolder({ dir }: ReceiveFolderDeps): ReceiveFolder {
  const root = path.resolve(dir);

  /** Creates the sanitized sub-folders one level at a time, checking each resolved level stays inside. */
  let realRootCache: Promise<string> | undefined;
  /** The root's real path, resolved once: small files arrive by the thousand. */
  function resolveRoot(): Promise<string> {
    realRootCache ??= mkdir(root, { recursive: true }).then(() => realpath(root));
    realRootCache.catch(() => (realRootCache = undefined));
    return realRootCache;
  }

  async function ensureDirectory(relativePath: string | undefined): Promise<{ realDir: string; segments: string[] }> {
    const realRoot = await resolveRoot();
    const segments = sanitizeRelativeDir(relativePath ?? '');
    if (segments.length === 0) return { realDir: realRoot, segments };
    if (segments[0]!.toLowerCase() === stateFolderName) segments[0] = `_${stateFolderName.slice(1)}`;
    let current = realRoot;
    for (const segment of segments) {
      const next = path.join(current, segment);
      // Not `mkdir -p` on the whole path: it would follow a planted symlink and create folders outside.
      try {
        await mkdir(next);
      } catch (error) {
        if (errnoCode(error) === 'ENAMETOOLONG') {
          throw new FerryError('PATH_TOO_LONG', 'The folder path is too long for this file system', {
            status: 400,
            cause: error,
          });
        }
        if (errnoCode(error) === 'ENOTDIR') throw notADirectory(segments, error);
        if (errnoCode(error) !== 'EEXIST') throw error;
      }
      current = await realpath(next);
      if (!isInside(realRoot, current)) throw outside(next);
    }
    // The spec's rule, checked once more on the final directory: "only inside the receive folder".
    const realDir = await realpath(current);
    if (!isInside(realRoot, realDir)) throw outside(realDir);
    if (!(await stat(realDir)).isDirectory()) {
      throw notADirectory(segments);
    }
    return { realDir, segments };
  }

  /**
   * Claims a fresh name by creating it with O_CREAT|O_EXCL (`wx`): the kernel decides who wins, so
   * concurrent uploads of one name never share a file, and an existing file (or planted symlink,
   * which O_EXCL refuses to follow) is never overwritten.
   */
  async function reserve(filename: string, relativePath: string | undefined): Promise<OpenedFile> {
    const { realDir, segments } = await ensureDirectory(relativePath);
    const name = sanitizeDisplayName(filename);
    let recreated = false;
    for (let n = 0; n <= MAX_COLLISION_SUFFIX; n += 1) {
      const candidate = n === 0 ? name : withCollisionSuffix(name, n);
      const absolutePath = path.join(realDir, candidate);
      try {
        const handle = await open(absolutePath, 'wx');
        return { absolutePath, relativePath: [...segments, candidate].join('/'), handle };
      } catch (error) {
        // The receive folder was removed while we ran: recreate it once and try again.
        if (errnoCode(error) === 'ENOENT' && segments.length === 0 && !recreated) {
          recreated = true;
          realRootCache = undefined;
          await resolveRoot();
          n -= 1;
          continue;
        }
        if (errnoCode(error) !== 'EEXIST') throw error;
      }
    }
    throw new FerryError('NAME_COLLISIONS_EXHAUSTED', `Too many files named ${name} already exist`, { status: 409 });
  }

  async function moveInto(sourcePath: string, target: string): Promise<void> {
    try {
      // Replaces the empty reserved file atomically.
      await rename(sourcePath, target);
      return;
    } catch (error) {
      // rename(2): "EXDEV oldpath and newpath are not on the same mounted filesystem."
      if (errnoCode(error) !== 'EXDEV') throw error;
    }
    await copyFile(sourcePath, target, fsConstants.COPYFILE_FICLONE);
    const handle = await open(target, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await unlink(sourcePath);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
    }
  }

  return {
    dir: root,

    async place(sourcePath, { filename, relativePath }) {
      const reserved = await reserve(filename, relativePath);
      await reserved.handle.close();
      try {
        await moveInto(sourcePath, reserved.absolutePath);
      } catch (error) {
        await unlink(reserved.absolutePath).catch(() => undefined);
        throw error;
      }
      return { absolutePath: reserved.absolutePath, relativePath: reserved.relativePath };
    },

    open(filename, relativePath) {
      return reserve(filename, relativePath);
    },
  };
}
