import { stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Waits `ms`, or rejects with the signal's reason when it aborts first. Node's timer removes its abort
 * listener when it fires: a job's signal sees many sleeps (growing polls, backoff) and must not pile them up.
 */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  delay(ms, undefined, { signal }).catch((error: unknown) => {
    throw signal?.aborted ? signal.reason : error;
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
