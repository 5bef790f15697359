import type { TusHandler } from './tus-context';
import { reply } from './tus-response';
import { TusError } from './tus-errors';
import { requireValidId } from './upload-lookup';
import { whileServerBusy } from './busy-socket';

/** tus termination: 204, after which the id answers 404. A completed file stays in the receive folder. */
export const handleDelete: TusHandler = async (req, res, ctx, rawId) => {
  const id = requireValidId(rawId);
  // Waiting for another request to let go is the server's business: no idle timeout meanwhile.
  const lock = await whileServerBusy(req.socket, () => ctx.locks.acquire(id, ctx.config.lockTimeoutMs));
  try {
    const stored = await ctx.store.get(id);
    if (!stored) throw new TusError('UPLOAD_NOT_FOUND');
    if (stored.info.status === 'expired') throw new TusError('UPLOAD_EXPIRED');
    await ctx.store.remove(id);
    ctx.progress.transition(id, 'terminated', { message: 'The upload was terminated' });
    ctx.counters.terminated();
    reply(res, 204);
  } finally {
    lock.release();
  }
};
