import { mkdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, FerryError } from '../../errors';
import { isInside, notADirectory, outside } from './landing-errors';
import { sanitizeRelativeDir } from './sanitize-filename';

/** The receiver keeps its own state in this folder of the receive folder; no client folder may land in it. */
export const stateFolderName = '.ferry';

/**
 * How long a checked sub-folder is trusted without checking again: long enough for the files of one
 * bulk request (tens of milliseconds), short enough that a folder swapped for a symlink meanwhile has
 * only a moment's window, close to the check-then-rename gap that exists anyway.
 */
const CHECKED_FOLDER_TTL_MS = 250;

export interface FolderChecker {
  /**
   * The real folder a file with this relative folder lands in, created one sanitized level at a
   * time, each level checked to stay inside the receive folder.
   */
  ensureDirectory(relativePath: string | undefined): Promise<{ realDir: string; segments: string[] }>;
  /** Forgets what was checked: a folder (or the receive folder itself) vanished or changed. */
  forget(): void;
}

export function createFolderChecker(root: string): FolderChecker {
  let realRootCache: Promise<string> | undefined;
  /** The root's real path, resolved once: small files arrive by the thousand. */
  function resolveRoot(): Promise<string> {
    realRootCache ??= mkdir(root, { recursive: true }).then(() => realpath(root));
    realRootCache.catch(() => (realRootCache = undefined));
    return realRootCache;
  }

  /**
   * Sub-folders checked lately, by sanitized path: a thousand files of one folder check it once. A
   * check under way is shared too: the files of a bulk request land side by side, and all would
   * check the folder at once when its entry runs out.
   */
  const checkedFolders = new Map<string, { realDir: Promise<string>; until: number }>();

  async function checkDirectory(realRoot: string, segments: string[]): Promise<string> {
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
    return realDir;
  }

  return {
    async ensureDirectory(relativePath) {
      const realRoot = await resolveRoot();
      const segments = sanitizeRelativeDir(relativePath ?? '');
      if (segments.length === 0) return { realDir: realRoot, segments };
      if (segments[0]!.toLowerCase() === stateFolderName) segments[0] = `_${stateFolderName.slice(1)}`;
      const key = segments.join('/');
      const checked = checkedFolders.get(key);
      if (checked && checked.until > Date.now()) return { realDir: await checked.realDir, segments };
      if (checkedFolders.size > 1000) checkedFolders.clear();
      // Trusted from when the check is done, as long as it is under way until then.
      const entry = { realDir: checkDirectory(realRoot, segments), until: Infinity };
      checkedFolders.set(key, entry);
      try {
        const realDir = await entry.realDir;
        entry.until = Date.now() + CHECKED_FOLDER_TTL_MS;
        return { realDir, segments };
      } catch (error) {
        if (checkedFolders.get(key) === entry) checkedFolders.delete(key);
        throw error;
      }
    },
    forget() {
      checkedFolders.clear();
      realRootCache = undefined;
    },
  };
}
