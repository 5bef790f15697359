import { stat } from 'node:fs/promises';

/** Waits `ms`, or rejects with the signal's reason when it aborts first. */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/**
 * The source once it has stopped changing for a moment. A rewrite in progress (truncate, then write)
 * passes through versions that never were the user's file; undefined if it vanished or keeps changing.
 */
export async function settledSource(path: string, signal: AbortSignal, quietMs = 300, tries = 8) {
  let before = await stat(path).catch(() => undefined);
  for (let i = 0; i < tries && before?.isFile(); i++) {
    await sleep(quietMs, signal);
    const after = await stat(path).catch(() => undefined);
    if (after && after.size === before.size && after.mtimeMs === before.mtimeMs) return after;
    before = after;
  }
  return undefined;
}
