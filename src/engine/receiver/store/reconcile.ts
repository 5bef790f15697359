import { mkdir, readdir, readFile, rename, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReconcileReport, UploadInfo } from './types';
import { infoSuffix, pendingSuffix, sizeOf, storePaths, type StorePaths } from './store-layout';

/**
 * Startup reconciliation of a store folder after a crash: loads every readable record into `infos`,
 * quarantines torn ones, rolls back unverified chunks and trims data past a declared length.
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
  for (const id of ids) await reconcileOne(scan, id);
  return report;
}

/** One pass over the folder: the file names found, and where results go. */
interface Scan {
  dir: string;
  paths: StorePaths;
  names: Set<string>;
  infos: Map<string, UploadInfo>;
  report: ReconcileReport;
}

async function quarantine(dir: string, name: string): Promise<void> {
  const quarantineDir = join(dir, 'quarantine');
  await mkdir(quarantineDir, { recursive: true });
  await rename(join(dir, name), join(quarantineDir, `${name}.${Date.now()}`)).catch(() => undefined);
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
    for (const name of [id, id + infoSuffix, id + pendingSuffix]) if (names.has(name)) await quarantine(dir, name);
    return;
  }
  info.metadata = Object.assign(Object.create(null) as Record<string, string>, info.metadata);
  infos.set(id, info);
  if (names.has(id + pendingSuffix)) {
    // A checksummed chunk was in flight at the crash: it was never verified, so it never happened.
    const start = Number(await readFile(paths.pendingPath(id), 'utf8'));
    if (Number.isSafeInteger(start) && names.has(id)) await truncate(paths.dataPath(id), start);
    await unlink(paths.pendingPath(id));
    report.rolledBack.push(id);
  }
  const size = names.has(id) ? await sizeOf(paths.dataPath(id)) : undefined;
  if (size !== undefined && info.length !== null && size > info.length) {
    await truncate(paths.dataPath(id), info.length);
    report.truncated.push(id);
  }
  if (info.finalizing) report.unfinalized.push(id);
}
