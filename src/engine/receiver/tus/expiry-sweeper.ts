import type { TusContext } from './tus-context';
import { activeUploads, expireUpload, isExpired } from './upload-lookup';

export interface ExpirySweeper {
  sweep(now?: number): Promise<string[]>;
  stop(): void;
}

/**
 * Expires incomplete uploads after inactivity (and finished parts no final used, once their siblings
 * went quiet too), then lets the store forget records and quarantined data past retention. It never
 * touches an upload that is locked (a PATCH is running) or that landed.
 */
export function createExpirySweeper(ctx: TusContext, intervalMs: number): ExpirySweeper {
  let running: Promise<string[]> | undefined;

  async function sweepOnce(now: number): Promise<string[]> {
    const expired: string[] = [];
    const active = await activeUploads(ctx, now);
    for (const info of active) {
      if (
        info.status === 'expired' ||
        ctx.locks.isLocked(info.id) ||
        !isExpired(info, ctx.config.expireAfterMs, now, active)
      )
        continue;
      const lock = ctx.locks.tryAcquire(info.id);
      if (!lock) continue;
      try {
        const fresh = await ctx.store.get(info.id);
        if (fresh && isExpired(fresh.info, ctx.config.expireAfterMs, now, active)) {
          await expireUpload(ctx, info.id);
          expired.push(info.id);
        }
      } catch (error) {
        ctx.log.warn({ err: error, uploadId: info.id }, 'expiry failed');
      } finally {
        lock.release();
      }
    }
    await ctx.store.purge(now).catch((error: unknown) => ctx.log.warn({ err: error }, 'retention purge failed'));
    return expired;
  }

  const sweep = (now = Date.now()) => (running ??= sweepOnce(now).finally(() => (running = undefined)));
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
