import { StallError } from './sender-errors';

/**
 * Runs `work` with a signal that aborts when `touch` has not been called for `timeoutMs`
 * (tus-js-client in Node has no such guard and hangs forever on a black-holed connection).
 * A touch only notes the time: progress comes many times a second (a bulk request's every file),
 * and one timer, set again for what is left when it fires early, costs less than a timer per touch.
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
  let touchedAt = performance.now();
  const touch = () => void (touchedAt = performance.now());
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const left = touchedAt + timeoutMs - performance.now();
    if (left > 0) {
      timer = setTimeout(check, Math.ceil(left));
      return;
    }
    stalled = true;
    controller.abort(new StallError(timeoutMs));
  };
  timer = setTimeout(check, timeoutMs);
  try {
    return await work(controller.signal, touch);
  } catch (error) {
    if (stalled) throw new StallError(timeoutMs);
    throw error;
  } finally {
    clearTimeout(timer);
    outer.removeEventListener('abort', onOuterAbort);
  }
}
