import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Items handled in one turn of the event loop at most, for work that comes in batches of up to 64 (a
 * bulk request's files): settling a job is a queue update and its listeners (the app pushes it to
 * the window, saves it) plus hub events, and showing a received file is a hub event to every /ws
 * client. 64 at once held the app's main loop for 28 ms at the 99th percentile; 16 keep a turn
 * short and cost three turns a request.
 */
export const itemsPerTurn = 16;

/** Runs `each` over `items` in order, `perTurn` of them per turn of the event loop. */
export async function inTurns<T>(items: readonly T[], each: (item: T) => void, perTurn = itemsPerTurn): Promise<void> {
  for (let at = 0; at < items.length; at += perTurn) {
    if (at > 0) await nextTurn();
    for (const item of items.slice(at, at + perTurn)) each(item);
  }
}
