import { readdir, readFile, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { quarantine } from './quarantine';
import { applyMarkerAtStartup } from './rollback-marker';
import type { ReconcileReport, UploadInfo } from './types';
import { infoSuffix, pendingSuffix, sizeOf, storePaths, type StorePaths } from './store-layout';

/**
 * Startup reconciliation of a store folder after a crash: loads every readable record into `infos`,
 * quarantines torn ones, rolls back unverified chunks and trims data past a declared length. Only the
 * folder's own files are read: finished records live in a subfolder and are not loaded.
 */
export async function reconcileStoreDir(dir: string, infos: Map<string, UploadInfo>): Promise<ReconcileReport> {
  const report: ReconcileReport = { quarantined: [], truncated: [], rolledBack: [], unfinalized: [] };
  const entries = await readdir(dir, { withFileTypes: true });
  const names = new Set<string>();
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    // Leftover temp files are writes that never committed: the previous record still stands.
    if (entry.name.endsWith('.tmp')) await unlink(join(dir, entry.name)).catch(() => undefined);
    else names.add(entry.name);
  }
  const ids = new Set([...names].map((name) => name.replace(/\.(info|pending)$/, '')));
  const scan: Scan = { dir, paths: storePaths(dir), names, infos, report };
  await inParallel([...ids], (id) => reconcileOne(scan, id));
  return report;
}

/** Runs `work` for every item, a few at a time: a folder of many records reads in seconds, not minutes. */
export async function inParallel<T>(items: T[], work: (item: T) => Promise<void>, limit = 32): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** One pass over the folder: the file names found, and where results go. */
interface Scan {
  dir: string;
  paths: StorePaths;
  names: Set<string>;
  infos: Map<string, UploadInfo>;
  report: ReconcileReport;
}

async function reconcileOne(scan: Scan, id: string): Promise<void> {
  const { dir, paths, names, infos, report } = scan;
  let info: UploadInfo | undefined;
  if (names.has(id + infoSuffix)) {
    try {
      info = JSON.parse(await readFile(paths.infoPath(id), 'utf8')) as UploadInfo;
      if (info.id !== id || typeof info.status !== 'string') info = undefined;
    } catch {
      info = undefined;
    }
  }
  if (!info) {
    // A torn or missing record: keep the bytes aside for a person to inspect, never serve them.
    report.quarantined.push(id);
    for (const name of [id, id + infoSuffix, id + pendingSuffix])
      if (names.has(name)) await quarantine(dir, paths.quarantineDir, name);
    return;
  }
  info.metadata = Object.assign(Object.create(null) as Record<string, string>, info.metadata);
  infos.set(id, info);
  if (names.has(id + pendingSuffix)) {
    // A checksummed chunk was in flight at the crash: unverified, it never happened. An unreadable
    // marker was cut while being written, before any byte of its chunk: nothing to undo.
    const text = await readFile(paths.pendingPath(id), 'utf8');
    if ((await applyMarkerAtStartup(paths.dataPath(id), text)) === 'rolled-back') report.rolledBack.push(id);
    await unlink(paths.pendingPath(id));
  }
  const size = names.has(id) ? await sizeOf(paths.dataPath(id)) : undefined;
  if (size !== undefined && info.length !== null && size > info.length) {
    await truncate(paths.dataPath(id), info.length);
    report.truncated.push(id);
  }
  if (info.finalizing) report.unfinalized.push(id);
}
