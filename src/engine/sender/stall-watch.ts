import { StallError } from './sender-errors';

/**
 * Runs `work` with a signal that aborts when `touch` has not been called for `timeoutMs`
 * (tus-js-client in Node has no such guard and hangs forever on a black-holed connection).
 */
export async function withStallWatch<T>(
  timeoutMs: number,
  outer: AbortSignal,
  work: (signal: AbortSignal, touch: () => void) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(outer.reason);
  if (outer.aborted) onOuterAbort();
  outer.addEventListener('abort', onOuterAbort);
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort(new StallError(timeoutMs));
    }, timeoutMs);
  };
  touch();
  try {
    return await work(controller.signal, touch);
  } catch (error) {
    if (stalled) throw new StallError(timeoutMs);
    throw error;
  } finally {
    if (timer) clearTimeout(timer);
    outer.removeEventListener('abort', onOuterAbort);
  }
}
