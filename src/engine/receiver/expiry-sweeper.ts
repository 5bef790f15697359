import type { TusContext } from './tus/tus-context';
import { expireUpload, isExpired } from './tus/upload-lookup';

export interface ExpirySweeper {
  sweep(now?: number): Promise<string[]>;
  stop(): void;
}

/**
 * Expires incomplete uploads after inactivity. It never touches an upload that is locked (a PATCH is
 * running), completed, or a final concatenation.
 */
export function createExpirySweeper(ctx: TusContext, intervalMs: number): ExpirySweeper {
  let running: Promise<string[]> | undefined;

  async function sweepOnce(now: number): Promise<string[]> {
    const expired: string[] = [];
    for (const info of await ctx.store.list()) {
      if (info.status === 'expired' || ctx.locks.isLocked(info.id) || !isExpired(info, ctx.config.expireAfterMs, now)) continue;
      const lock = ctx.locks.tryAcquire(info.id);
      if (!lock) continue;
      try {
        const fresh = await ctx.store.get(info.id);
        if (fresh && isExpired(fresh.info, ctx.config.expireAfterMs, now)) {
          await expireUpload(ctx, info.id);
          expired.push(info.id);
        }
      } catch (error) {
        ctx.log.warn({ err: error, uploadId: info.id }, 'expiry failed');
      } finally {
        lock.release();
      }
    }
    return expired;
  }

  const sweep = (now = Date.now()) => (running ??= sweepOnce(now).finally(() => (running = undefined)));
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
