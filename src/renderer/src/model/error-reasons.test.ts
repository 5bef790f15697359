import { describe, expect, it } from 'vitest';
import { en } from '../i18n/en';
import { failureTextOf } from './error-reasons';

describe('failureTextOf', () => {
  it('names known codes in plain words, with advice', () => {
    expect(failureTextOf({ code: 'SOURCE_CHANGED', message: '/x changed while it was being sent' })).toMatchObject({
      reason: 'reason.sourceChanged',
      advice: 'advice.sourceChanged',
    });
    expect(failureTextOf({ code: 'HOST_NOT_FOUND', message: '' }).reason).toBe('reason.hostNotFound');
    expect(failureTextOf({ code: 'HTTP_507', message: '' }).reason).toBe('reason.diskFull');
  });

  it('groups unknown HTTP statuses', () => {
    expect(failureTextOf({ code: 'HTTP_502', message: '' }).reason).toBe('reason.server');
    expect(failureTextOf({ code: 'HTTP_418', message: '' }).reason).toBe('reason.rejected');
  });

  it('falls back to the message for anything else', () => {
    expect(failureTextOf({ code: 'SOMETHING_NEW', message: 'The disk caught fire' })).toEqual({
      reason: 'reason.unknown',
      advice: 'advice.unknown',
      message: 'The disk caught fire',
    });
    expect(failureTextOf(undefined).message).toBe('—');
  });

  it('only returns keys the catalog has', () => {
    for (const code of [
      'SOURCE_CHANGED',
      'ENOENT',
      'EACCES',
      'ECONNREFUSED',
      'ETIMEDOUT',
      'STALLED',
      'HTTP_413',
      'ENOSPC',
      'STORAGE_FAILED',
      'HTTP_401',
      'CHECKSUM_MISMATCH',
      'HTTP_410',
      'DEFER_LENGTH_UNSUPPORTED',
      'BAD_OFFSET',
      'HTTP_500',
      'HTTP_400',
      'X',
    ]) {
      const text = failureTextOf({ code, message: 'm' });
      expect(en).toHaveProperty([text.reason]);
      expect(en).toHaveProperty([text.advice]);
    }
  });
});
