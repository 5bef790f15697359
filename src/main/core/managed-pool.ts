import type { UploadPool } from '../../engine/sender/upload-pool';

/**
 * The upload pool behind a stable face. The pool reads chunk size and parts per file once, when it
 * is made; a change of either rebuilds it: running jobs stop (kept resumable, back in the queue) and
 * the new pool resumes them at their acknowledged offset with the new settings.
 */
export type ManagedPool = UploadPool & {
  /** Closes the current pool and continues with a fresh one from the factory. */
  rebuild(): Promise<void>;
};

export function createManagedPool(create: () => UploadPool): ManagedPool {
  let current = create();
  let started = false;
  let closed = false;
  let rebuilding: Promise<void> = Promise.resolve();
  let rebuilt: () => void = () => undefined;
  let nextRebuild = new Promise<void>((resolve) => (rebuilt = resolve));

  const own: Pick<ManagedPool, 'start' | 'whenIdle' | 'rebuild' | 'close'> = {
    start() {
      started = true;
      current.start();
    },
    async whenIdle() {
      // A closed pool never reports idle; wait on whichever pool is current once it is replaced.
      for (;;) {
        const replaced = nextRebuild.then(() => 'replaced' as const);
        if ((await Promise.race([current.whenIdle().then(() => 'idle' as const), replaced])) === 'idle') return;
      }
    },
    rebuild() {
      rebuilding = rebuilding.then(async () => {
        if (closed) return;
        await current.close();
        current = create();
        if (started) current.start();
        const done = rebuilt;
        nextRebuild = new Promise<void>((resolve) => (rebuilt = resolve));
        done();
      });
      return rebuilding;
    },
    async close() {
      await rebuilding;
      if (closed) return;
      closed = true;
      await current.close();
    },
  };

  // Everything else goes to the current pool, so the face follows the pool's interface as it grows.
  // Properties set on the face itself (a test's spy) win.
  return new Proxy({} as ManagedPool, {
    get(target, property) {
      if (Object.prototype.hasOwnProperty.call(target, property)) return Reflect.get(target, property);
      if (Object.prototype.hasOwnProperty.call(own, property)) return own[property as keyof typeof own];
      const value: unknown = Reflect.get(current, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(current) : value;
    },
    has: (target, property) => property in target || property in own || property in current,
  });
}
