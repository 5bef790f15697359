import { FerryError } from '../../errors';
import { TusError } from '../tus/tus-errors';

/** Raised when the disk fills mid-write; `offset` is what was saved. */
export class StorageFullError extends FerryError {
  constructor(
    readonly offset: number,
    cause: unknown,
  ) {
    super('INSUFFICIENT_STORAGE', 'The disk is full', { status: 507, cause });
  }
}

/** Maps filesystem failures to answers a client (and a person) can act on. */
export function storageError(error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new TusError('INSUFFICIENT_STORAGE', { cause: error });
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM')
    return new TusError('STORAGE_NOT_WRITABLE', { cause: error });
  return error;
}
