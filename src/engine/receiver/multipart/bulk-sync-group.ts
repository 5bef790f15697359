import type { SyncableFile } from './multipart-staging';

/**
 * The staged files of one bulk request, made durable together. Each file is written whole without an
 * fsync while the body streams; once the body is through (or `maxWaiting` files wait, which bounds the
 * open handles) the waiting ones are fsynced side by side, so their device flushes overlap instead of
 * queueing one behind the other while the next file is written. A file counts as received only after
 * its own fsync succeeded: nothing of it lands before that.
 */
export interface SyncGroup {
  /**
   * Resolves once `file` is fsynced (when durable) and closed; rejects with its fsync (or close)
   * error, which fails that file alone. The handle is closed either way.
   */
  settle(file: SyncableFile): Promise<void>;
  /** The body is through: what waits is synced now, and a file settled after this is synced at once. */
  end(): void;
}

export interface SyncGroupOptions {
  durable: boolean;
  /** Files waiting for their fsync at most; past that the group syncs what it holds. */
  maxWaiting?: number;
  /** The fsync of one staged file (a test slows or fails it). */
  sync?: (file: SyncableFile) => Promise<void>;
}

const fsyncOf = (file: SyncableFile) => file.sync();

export function createSyncGroup(options: SyncGroupOptions): SyncGroup {
  const { durable, maxWaiting = 64, sync = fsyncOf } = options;
  let waiting: Array<{ file: SyncableFile; resolve(): void; reject(error: unknown): void }> = [];
  let ended = false;

  const syncAndClose = async (file: SyncableFile) => {
    try {
      if (durable) await sync(file);
    } finally {
      await file.close();
    }
  };
  const flush = () => {
    const group = waiting;
    waiting = [];
    for (const { file, resolve, reject } of group) syncAndClose(file).then(resolve, reject);
  };

  return {
    settle(file) {
      if (!durable || ended) return syncAndClose(file);
      return new Promise<void>((resolve, reject) => {
        waiting.push({ file, resolve, reject });
        if (waiting.length >= maxWaiting) flush();
      });
    },
    end() {
      ended = true;
      flush();
    },
  };
}
