import { describe, expect, it } from 'vitest';
import { StoreError, storageError, writeFailure } from './store-errors';

const fsError = (code: string) => Object.assign(new Error(`${code}: failed`), { code, syscall: 'write' });

describe('store errors', () => {
  it.each([
    ['ENOSPC', 'INSUFFICIENT_STORAGE'],
    ['EDQUOT', 'INSUFFICIENT_STORAGE'],
    ['EROFS', 'STORAGE_NOT_WRITABLE'],
    ['EACCES', 'STORAGE_NOT_WRITABLE'],
    ['EPERM', 'STORAGE_NOT_WRITABLE'],
  ])('%s is %s, with no HTTP status', (errno, code) => {
    const cause = fsError(errno);
    expect(storageError(cause)).toMatchObject({
      name: 'StoreError',
      code,
      status: undefined,
      offset: undefined,
      cause,
    });
    expect(writeFailure(cause, 12)).toMatchObject({ code, offset: 12, cause });
  });

  it('any other failure passes as it is, or fails a write as STORAGE_FAILED with the offset kept', () => {
    const cause = fsError('EIO');
    expect(storageError(cause)).toBe(cause);
    const failed = writeFailure(cause, 0);
    expect(failed).toBeInstanceOf(StoreError);
    expect(failed).toMatchObject({ code: 'STORAGE_FAILED', offset: 0, cause });
  });
});
