import { basename, isAbsolute } from 'node:path';
import type { AddSummary } from '../../shared/ipc/job-view';
import type { FerryCore } from './ferry-core';

export type UploadAdder = (paths: readonly string[]) => Promise<AddSummary>;

/**
 * Queues files and folders for the current target and starts the pool. Drops, dialogs, a second
 * launch and macOS "Open with" all come through here. Duplicates and unreadable paths are reported
 * by name (the window never gets a full path back).
 */
export function createUploadAdder(
  core: Pick<FerryCore, 'queue' | 'pool' | 'target'>,
  onAdded?: (ids: string[]) => void,
): UploadAdder {
  return async (paths) => {
    if (paths.length === 0) return { added: 0, duplicates: [], skipped: [] };
    // Paths come from a dialog, a drop or the OS (absolute); anything relative did not.
    const usable = paths.filter((path) => isAbsolute(path));
    const refused = paths
      .filter((path) => !isAbsolute(path))
      .map((path) => ({ name: basename(path), reason: 'Not an absolute path' }));
    const result = await core.queue.add(usable, core.target());
    if (result.added.length > 0) onAdded?.(result.added.map((job) => job.id));
    // A file that is done there already may have been lost since (a wiped folder, a new machine at the
    // same address): the pool asks the target (HEAD) and sends it again if it is gone.
    for (const id of result.completedDuplicates ?? []) core.pool.recheck(id);
    core.pool.start();
    return {
      added: result.added.length,
      duplicates: result.duplicates.map((path) => basename(path)),
      skipped: [...refused, ...result.skipped.map((entry) => ({ name: basename(entry.path), reason: entry.reason }))],
    };
  };
}
