import { TusError } from './tus-errors';

export interface UploadLock {
  /** Aborts when another request asks this holder to let go. */
  readonly signal: AbortSignal;
  release(): void;
}

export interface UploadLocks {
  /**
   * Takes the lock for one upload. If it is held, the holder is asked to stop ("request release"):
   * it persists what it has, unlocks, and answers ERR_UPLOAD_INTERRUPTED. Waits up to `timeoutMs`.
   */
  acquire(id: string, timeoutMs?: number, use?: LockUse): Promise<UploadLock>;
  /** Takes the lock only if it is free; never disturbs a holder. */
  tryAcquire(id: string): UploadLock | undefined;
  isLocked(id: string): boolean;
  activeCount(): number;
  /**
   * Asks every holder to stop and persist, for shutdown (reason SERVER_SHUTTING_DOWN). From then on no
   * lock is handed out: a request that arrives during the grace period is answered 503 at once.
   */
  releaseAll(): void;
}

/**
 * What the lock is for. Once shutdown has begun only reads get one: a HEAD answered 5xx makes
 * tus-js-client start the file over, while a write refused with 503 + Retry-After resumes later.
 */
export type LockUse = 'write' | 'read';

interface Holder {
  controller: AbortController;
  released: Promise<void>;
}

export function createUploadLocks(defaultTimeoutMs = 10_000): UploadLocks {
  const holders = new Map<string, Holder>();
  let closed = false;
  const shuttingDown = () => new TusError('SERVER_SHUTTING_DOWN', { headers: { 'Retry-After': '5' } });

  async function acquire(id: string, timeoutMs = defaultTimeoutMs, use: LockUse = 'write'): Promise<UploadLock> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (closed && use === 'write') throw shuttingDown();
      const holder = holders.get(id);
      if (!holder) break;
      holder.controller.abort(new TusError('ERR_UPLOAD_INTERRUPTED'));
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new TusError('UPLOAD_LOCKED');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        holder.released.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), remaining))),
      ]);
      clearTimeout(timer);
      // 423 is the retryable answer: clients restart from zero on a 5xx HEAD.
      if (timedOut) throw new TusError('UPLOAD_LOCKED');
    }
    return take(id);
  }

  function take(id: string): UploadLock {
    const controller = new AbortController();
    let markReleased!: () => void;
    const released = new Promise<void>((resolve) => (markReleased = resolve));
    const holder: Holder = { controller, released };
    holders.set(id, holder);
    let done = false;
    return {
      signal: controller.signal,
      release() {
        if (done) return;
        done = true;
        if (holders.get(id) === holder) holders.delete(id);
        markReleased();
      },
    };
  }

  return {
    acquire,
    tryAcquire: (id) => (closed || holders.has(id) ? undefined : take(id)),
    isLocked: (id) => holders.has(id),
    activeCount: () => holders.size,
    releaseAll() {
      closed = true;
      for (const holder of holders.values()) holder.controller.abort(new TusError('SERVER_SHUTTING_DOWN'));
    },
  };
}
