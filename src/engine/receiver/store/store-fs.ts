import type { FileHandle } from 'node:fs/promises';

/**
 * The disk flushes whose failure the store must survive. A test swaps them to inject a fault (EIO on
 * an fsync); everything else goes straight to `node:fs`.
 */
export interface StoreFs {
  /** fsync: data and metadata. `path` names the file, so a fault can target one kind of file. */
  sync(handle: FileHandle, path: string): Promise<void>;
  /** fdatasync. */
  datasync(handle: FileHandle, path: string): Promise<void>;
}

export function storeFs(overrides: Partial<StoreFs> = {}): StoreFs {
  return {
    sync: (handle) => handle.sync(),
    datasync: (handle) => handle.datasync(),
    ...overrides,
  };
}
