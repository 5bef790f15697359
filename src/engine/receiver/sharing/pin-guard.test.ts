import { describe, expect, it } from 'vitest';
import { createPinGuard } from './pin-guard';

describe('pin guard', () => {
  it('locks an address after three wrong PINs, for lockMs', () => {
    let now = 0;
    const guard = createPinGuard('1234', { lockMs: 1000, now: () => now });
    expect(guard.attempt('a', '0000')).toEqual({ kind: 'wrong', attemptsLeft: 2 });
    expect(guard.attempt('a', '0000')).toEqual({ kind: 'wrong', attemptsLeft: 1 });
    expect(guard.attempt('a', '0000')).toEqual({ kind: 'wrong', attemptsLeft: 0 });
    expect(guard.attempt('a', '1234')).toEqual({ kind: 'locked', retryAfterMs: 1000 });
    expect(guard.attempt('b', '1234')).toEqual({ kind: 'ok' });
    now = 1000;
    expect(guard.attempt('a', '1234')).toEqual({ kind: 'ok' });
  });

  it('forgets the failures of an address that got it right', () => {
    const guard = createPinGuard('1234');
    guard.attempt('a', '0000');
    guard.attempt('a', '0000');
    expect(guard.attempt('a', '1234').kind).toBe('ok');
    expect(guard.attempt('a', '0000')).toEqual({ kind: 'wrong', attemptsLeft: 2 });
  });

  it('keeps a bounded table, forgetting the least recently seen address first', () => {
    const guard = createPinGuard('1234', { maxEntries: 3 });
    for (let i = 0; i < 3; i++) guard.attempt('old', 'x');
    for (let i = 0; i < 10_000; i++) guard.attempt(`10.0.${i >> 8}.${i & 255}`, 'x');
    expect(guard.size()).toBe(3);
    // "old" was pushed out of the table.
    expect(guard.attempt('old', '1234').kind).toBe('ok');
    // A recently touched entry survives newer ones.
    const kept = createPinGuard('1234', { maxEntries: 2 });
    for (let i = 0; i < 3; i++) kept.attempt('a', 'x');
    kept.attempt('b', 'x');
    kept.attempt('a', 'x');
    kept.attempt('c', 'x');
    expect(kept.attempt('a', '1234').kind).toBe('locked');
  });
});
