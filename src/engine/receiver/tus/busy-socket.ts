import type { Socket } from 'node:net';

/**
 * Runs work the server does on its own (hashing, copying or moving a finished file) with the
 * connection's idle timer off. That timer frees connections whose client went quiet; a client waiting
 * for its answer while the server works is not quiet, and a big file must not be cut by it. The timer
 * comes back as it was.
 */
export async function whileServerBusy<T>(socket: Socket | null | undefined, work: () => Promise<T>): Promise<T> {
  const idleMs = socket?.timeout;
  if (!socket || !idleMs) return work();
  socket.setTimeout(0);
  try {
    return await work();
  } finally {
    if (!socket.destroyed) socket.setTimeout(idleMs);
  }
}
