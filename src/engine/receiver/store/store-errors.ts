import { errnoCode, FerryError } from '../../errors';

/**
 * Everything a store refuses or fails with. The codes say what happened to the data, nothing about a
 * protocol: tus/tus-errors.ts turns each into an answer, once.
 */
export const storeErrorMessages = {
  UPLOAD_NOT_FOUND: 'The store has no such upload',
  UPLOAD_EXISTS: 'An upload with this id already exists',
  OFFSET_MISMATCH: 'The data does not end at the given offset',
  CHECKSUM_MISMATCH: 'The chunk does not match its checksum; it was discarded',
  INSUFFICIENT_STORAGE: 'The disk is full',
  STORAGE_NOT_WRITABLE: 'The storage is read-only or not permitted',
  STORAGE_FAILED: 'The storage failed',
} as const;

export type StoreErrorCode = keyof typeof storeErrorMessages;

export class StoreError extends FerryError {
  declare readonly code: StoreErrorCode;
  /** Where the upload's data ends after the refusal or failure, when known: a client resumes from here. */
  readonly offset: number | undefined;

  constructor(code: StoreErrorCode, options: { message?: string; offset?: number; cause?: unknown } = {}) {
    super(code, options.message ?? storeErrorMessages[code], { cause: options.cause });
    this.name = 'StoreError';
    this.offset = options.offset;
  }
}

/** The store code for a file-system failure a person can act on (full, read-only), if it is one. */
function actionableCode(error: unknown): StoreErrorCode | undefined {
  const code = errnoCode(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'INSUFFICIENT_STORAGE';
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return 'STORAGE_NOT_WRITABLE';
  return undefined;
}

/** A file-system failure as a StoreError when a person can act on it; anything else as it is. */
export function storageError(error: unknown): unknown {
  const code = actionableCode(error);
  return code ? new StoreError(code, { cause: error }) : error;
}

/** A write or flush that failed mid-append, with the offset the data was rolled back to. */
export function writeFailure(error: unknown, kept: number): StoreError {
  return new StoreError(actionableCode(error) ?? 'STORAGE_FAILED', { offset: kept, cause: error });
}
