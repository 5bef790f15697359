import { stat } from 'node:fs/promises';
import type { ReconcileReport } from '../store/types';
import type { TusContext } from './tus-context';
import { filenameOf, isWaitingPart } from './upload-lookup';

/**
 * Brings persisted uploads back after a restart: finishes moves a crash interrupted, marks uploads
 * that were running as paused (their connections are gone), expires finals a crash cut short, and
 * shows the uploads not done yet to the progress hub. Finished ones stay on disk only, answering HEAD
 * until their retention ends: a restart never floods the hub (and every /ws snapshot) with history.
 */
export async function recoverUploads(ctx: TusContext, report: ReconcileReport): Promise<void> {
  for (const id of report.unfinalized) {
    const stored = await ctx.store.get(id);
    if (!stored) continue;
    const dataLeft = await stat(ctx.store.dataPath(id)).then(
      () => true,
      () => false,
    );
    const placedPath = dataLeft
      ? await ctx.place(ctx.store.dataPath(id), stored.info.metadata)
      : stored.info.placedPath;
    await ctx.store.update(id, {
      finalizing: false,
      status: 'completed',
      dataReleased: true,
      ...(placedPath ? { placedPath } : {}),
    });
  }
  for (const info of await ctx.store.listActive()) {
    if (info.concat?.kind === 'final' && info.status !== 'completed') {
      // A final is joined and landed within the request that creates it, whose client got no answer:
      // nothing will ever finish it.
      await ctx.store.releaseData(info.id, { status: 'expired' });
      continue;
    }
    if (info.status === 'running') await ctx.store.update(info.id, { status: 'paused' });
    const stored = await ctx.store.get(info.id);
    if (!stored) continue;
    // A finished part waiting for its final: hashed now, in the background, so the seal need not read it.
    if (isWaitingPart(stored.info)) ctx.store.warmSha256?.(info.id);
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
