import { describe, expect, it } from 'vitest';
import { StoreError, storeErrorMessages, type StoreErrorCode } from '../store/store-errors';
import { TusError, tusErrorOf, tusErrors } from './tus-errors';

describe('store errors as tus answers', () => {
  const answered = Object.keys(storeErrorMessages).filter((code) => code !== 'UPLOAD_EXISTS') as StoreErrorCode[];

  it.each(answered)('%s answers with the table entry of the same code', (code) => {
    const answer = tusErrorOf(new StoreError(code));
    expect(answer).toBeInstanceOf(TusError);
    expect(answer).toMatchObject({ code, status: tusErrors[code as keyof typeof tusErrors].status, headers: {} });
    expect((answer as TusError).message).toBe(tusErrors[code as keyof typeof tusErrors].message);
  });

  it('the offset the store kept goes out as Upload-Offset', () => {
    const cause = new StoreError('INSUFFICIENT_STORAGE', { offset: 4096 });
    expect(tusErrorOf(cause)).toMatchObject({ status: 507, headers: { 'Upload-Offset': '4096' }, cause });
    expect(tusErrorOf(new StoreError('OFFSET_MISMATCH', { offset: 0 }))).toMatchObject({
      status: 409,
      headers: { 'Upload-Offset': '0' },
    });
  });

  it('an id clash is a bug, left to be answered as an internal error; other errors pass as they are', () => {
    const clash = new StoreError('UPLOAD_EXISTS');
    expect(tusErrorOf(clash)).toBe(clash);
    const other = new Error('boom');
    expect(tusErrorOf(other)).toBe(other);
    const tus = new TusError('UPLOAD_LOCKED');
    expect(tusErrorOf(tus)).toBe(tus);
  });
});
