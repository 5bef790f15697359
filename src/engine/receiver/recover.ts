import { stat } from 'node:fs/promises';
import type { ReconcileReport } from './store/types';
import type { TusContext } from './tus/tus-context';
import { filenameOf } from './tus/upload-lookup';

/**
 * Brings persisted uploads back after a restart: finishes moves a crash interrupted, marks uploads
 * that were running as paused (their connections are gone), and shows them all to the progress hub.
 */
export async function recoverUploads(ctx: TusContext, report: ReconcileReport): Promise<void> {
  for (const id of report.unfinalized) {
    const stored = await ctx.store.get(id);
    if (!stored) continue;
    const dataLeft = await stat(ctx.store.dataPath(id)).then(() => true, () => false);
    const placedPath = dataLeft ? await ctx.place(ctx.store.dataPath(id), stored.info.metadata) : stored.info.placedPath;
    await ctx.store.update(id, { finalizing: false, status: 'completed', dataReleased: true, ...(placedPath ? { placedPath } : {}) });
  }
  for (const info of await ctx.store.list()) {
    if (info.status === 'running') await ctx.store.update(info.id, { status: 'paused' });
    const stored = await ctx.store.get(info.id);
    if (!stored) continue;
    ctx.progress.register({
      uploadId: info.id,
      source: 'tus',
      filename: filenameOf(info),
      length: info.length,
      offset: stored.offset,
      status: stored.info.status,
    });
  }
}
