import { link, lstat, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, FerryError } from '../../errors';
import { syncDirectory } from '../../fs/atomic-file';
import { createFolderChecker } from './checked-folders';
import { moveInto } from './move-file';
import { sanitizeDisplayName, withCollisionSuffix } from './sanitize-filename';

export interface PlacedFile {
  /** Where the file now lives (under the real path of the receive folder). */
  absolutePath: string;
  /** Relative to the receive folder, always with `/`. */
  relativePath: string;
}

/** A name held for a file still arriving: nothing exists under it yet, and no other upload here gets it. */
export interface ClaimedName extends PlacedFile {
  /** What was asked for: the next free name comes from it if this one is taken before the file lands. */
  readonly target: PlaceTarget;
  /** Lets the name go (the file landed, or never will); safe to call more than once. */
  release(): void;
}

export interface PlaceTarget {
  /** Client-supplied display name; sanitized here. */
  filename: string;
  /** Client-supplied path such as "photos/2024/a.jpg"; only its directory part is used. */
  relativePath?: string;
}

export interface ReceiveFolder {
  readonly dir: string;
  /** Files are fsynced before they land, and folders after, so a power cut cannot undo a landing. */
  readonly durable: boolean;
  /**
   * Moves a finished file in under a fresh name, by rename; the one way files land, for tus and
   * multipart alike. Given a claim, its name is tried first.
   */
  place(sourcePath: string, target: PlaceTarget | ClaimedName, options?: PlaceOptions): Promise<PlacedFile>;
  /** Holds a free name for a file that lands later, without creating anything in the receive folder. */
  claim(filename: string, relativePath?: string): Promise<ClaimedName>;
  /**
   * The name a file would take now (the first one no upload holds), for a link(2) made elsewhere;
   * `place` takes over when that link fails. Undefined where files do not land by link here, or the
   * folder cannot be checked (`place` says why).
   */
  linkTarget(target: PlaceTarget): Promise<PlacedFile | undefined>;
}

export interface PlaceOptions {
  /**
   * Leave the folder fsync to the caller, who syncs each folder once for many files (a bulk request)
   * before it says any of them landed. Only matters when durable.
   */
  deferFolderSync?: boolean;
  /**
   * Land by link(2) + unlink rather than reserve + rename (one call fewer). Only for sources whose
   * folder is swept at startup: a crash between the two calls leaves the staged name behind, which for
   * a tus upload's data file would land it a second time.
   */
  byLink?: boolean;
}

export interface ReceiveFolderDeps {
  dir: string;
  /** Default true. */
  durable?: boolean;
}

export { stateFolderName } from './checked-folders';

/** " (1)" … " (9999)"; past that something is wrong (or hostile) and we stop probing. */
const MAX_COLLISION_SUFFIX = 9999;

/** link(2) errors that mean "this file system (or pair of them) has no hard links here": land by rename instead. */
const NO_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

function isClaim(wanted: PlaceTarget | ClaimedName): wanted is ClaimedName {
  return 'release' in wanted;
}

export function createReceiveFolder({ dir, durable = true }: ReceiveFolderDeps): ReceiveFolder {
  const root = path.resolve(dir);
  /** Absolute paths held by `claim` for files still arriving. */
  const claimed = new Set<string>();

  const folders = createFolderChecker(root);
  const { ensureDirectory } = folders;

  /** The names to try, in order: the sanitized name, then " (1)" … " (9999)". */
  function* candidates(realDir: string, segments: string[], filename: string): Generator<PlacedFile> {
    const name = sanitizeDisplayName(filename);
    for (let n = 0; n <= MAX_COLLISION_SUFFIX; n += 1) {
      const candidate = n === 0 ? name : withCollisionSuffix(name, n);
      yield { absolutePath: path.join(realDir, candidate), relativePath: [...segments, candidate].join('/') };
    }
  }

  function exhausted(filename: string): FerryError {
    const name = sanitizeDisplayName(filename);
    return new FerryError('NAME_COLLISIONS_EXHAUSTED', `Too many files named ${name} already exist`, { status: 409 });
  }

  /**
   * Creates the name empty with O_CREAT|O_EXCL (`wx`): the kernel decides who wins, so concurrent
   * uploads of one name never share a file, and an existing file (or planted symlink, which O_EXCL
   * refuses to follow) is never overwritten. False when the name is taken.
   */
  async function createExclusive(absolutePath: string): Promise<boolean> {
    try {
      await (await open(absolutePath, 'wx')).close();
      return true;
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') return false;
      throw error;
    }
  }

  async function firstFree(target: PlaceTarget, preferred: ClaimedName | undefined): Promise<PlacedFile> {
    const { realDir, segments } = await ensureDirectory(target.relativePath);
    // The claim is used only if it still lies in the folder just checked (a folder could have been swapped since).
    if (
      preferred &&
      path.dirname(preferred.absolutePath) === realDir &&
      (await createExclusive(preferred.absolutePath))
    )
      return { absolutePath: preferred.absolutePath, relativePath: preferred.relativePath };
    for (const next of candidates(realDir, segments, target.filename)) {
      // Names other uploads claimed are theirs; a claim of ours that was taken meanwhile is tried above.
      if (claimed.has(next.absolutePath)) continue;
      if (await createExclusive(next.absolutePath)) return next;
    }
    throw exhausted(target.filename);
  }

  /** Reserves a fresh name for a file about to be moved in. */
  function reserve(target: PlaceTarget, preferred?: ClaimedName): Promise<PlacedFile> {
    return againIfFolderVanished(['ENOENT'], () => firstFree(target, preferred));
  }

  /**
   * Runs `attempt`, and once more after forgetting every checked folder when it fails with one of
   * `codes`: a folder (or the receive folder itself) was removed or replaced while it ran.
   */
  async function againIfFolderVanished<T>(codes: string[], attempt: () => Promise<T>): Promise<T> {
    try {
      return await attempt();
    } catch (error) {
      if (!codes.includes(errnoCode(error) ?? '')) throw error;
      folders.forget();
      return attempt();
    }
  }

  /** False once this file system refused a hard link: then every file lands by reserve + rename. */
  let linksWork = true;

  /** Tries a name by link(2): like O_EXCL it fails on any existing entry (a planted symlink too), atomically. */
  async function linkAs(sourcePath: string, absolutePath: string): Promise<boolean | 'no-link'> {
    try {
      await link(sourcePath, absolutePath);
      return true;
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'EEXIST') return false;
      if (code && NO_LINK.has(code)) {
        if (code !== 'EXDEV') linksWork = false;
        return 'no-link';
      }
      throw error;
    }
  }

  /**
   * Lands by link(2) under the first free name, then drops the source name: two calls where
   * reserve + rename take three, and the file appears whole. Undefined when links cannot be used here.
   */
  async function landByLink(
    sourcePath: string,
    target: PlaceTarget,
    preferred: ClaimedName | undefined,
  ): Promise<PlacedFile | undefined> {
    const { realDir, segments } = await ensureDirectory(target.relativePath);
    const tries: PlacedFile[] =
      preferred && path.dirname(preferred.absolutePath) === realDir
        ? [{ absolutePath: preferred.absolutePath, relativePath: preferred.relativePath }]
        : [];
    const attempt = async (next: PlacedFile): Promise<PlacedFile | undefined | false> => {
      const linked = await linkAs(sourcePath, next.absolutePath);
      if (linked === 'no-link') return undefined;
      if (!linked) return false;
      // The staged name is only a second name of the landed file now; a left-over one is swept at start.
      await unlink(sourcePath).catch(() => undefined);
      return next;
    };
    for (const next of tries) {
      const landed = await attempt(next);
      if (landed !== false) return landed;
    }
    for (const next of candidates(realDir, segments, target.filename)) {
      if (claimed.has(next.absolutePath)) continue;
      const landed = await attempt(next);
      if (landed !== false) return landed;
    }
    throw exhausted(target.filename);
  }

  function landByLinkOnce(
    sourcePath: string,
    target: PlaceTarget,
    preferred: ClaimedName | undefined,
  ): Promise<PlacedFile | undefined> {
    // A folder checked before may be gone, or a file may have taken its place.
    return againIfFolderVanished(['ENOENT', 'ENOTDIR'], () => landByLink(sourcePath, target, preferred));
  }

  async function isTaken(absolutePath: string): Promise<boolean> {
    try {
      await lstat(absolutePath);
      return true;
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return false;
      throw error;
    }
  }

  return {
    dir: root,
    durable,

    async place(sourcePath, wanted, options) {
      const target = isClaim(wanted) ? wanted.target : wanted;
      const preferred = isClaim(wanted) ? wanted : undefined;
      let reserved = linksWork && options?.byLink ? await landByLinkOnce(sourcePath, target, preferred) : undefined;
      if (!reserved) {
        reserved = await reserve(target, preferred);
        try {
          await moveInto(sourcePath, reserved.absolutePath);
        } catch (error) {
          await unlink(reserved.absolutePath).catch(() => undefined);
          throw error;
        }
      }
      if (isClaim(wanted)) wanted.release();
      // The rename is what makes the file visible; fsync its folder so a power cut cannot undo it.
      if (durable && !options?.deferFolderSync) await syncDirectory(path.dirname(reserved.absolutePath));
      return reserved;
    },

    async linkTarget(target) {
      if (!linksWork) return undefined;
      try {
        const { realDir, segments } = await ensureDirectory(target.relativePath);
        for (const next of candidates(realDir, segments, target.filename))
          if (!claimed.has(next.absolutePath)) return next;
      } catch {
        // `place` checks the folder again, and fails the file with the reason if it must.
      }
      return undefined;
    },

    async claim(filename, relativePath) {
      const { realDir, segments } = await ensureDirectory(relativePath);
      for (const next of candidates(realDir, segments, filename)) {
        if (claimed.has(next.absolutePath) || (await isTaken(next.absolutePath))) continue;
        // Checked again: another claim may have taken the name while lstat ran.
        if (claimed.has(next.absolutePath)) continue;
        claimed.add(next.absolutePath);
        let held = true;
        const release = () => {
          if (held) claimed.delete(next.absolutePath);
          held = false;
        };
        return { ...next, target: { filename, relativePath }, release };
      }
      throw exhausted(filename);
    },
  };
}
