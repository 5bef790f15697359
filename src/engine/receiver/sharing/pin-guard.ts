import { createHash, timingSafeEqual } from 'node:crypto';

export interface PinGuardOptions {
  /** Wrong PINs from one address before it is locked out (default 3). */
  maxFailures?: number;
  /** How long a locked-out address waits (default 60 s). */
  lockMs?: number;
  /** Addresses remembered at most; the least recently seen is forgotten first (default 1024). */
  maxEntries?: number;
  now?: () => number;
}

export type PinVerdict =
  { kind: 'ok' } | { kind: 'wrong'; attemptsLeft: number } | { kind: 'locked'; retryAfterMs: number };

export interface PinGuard {
  /** Checks a PIN attempt from `address`; a locked address is refused before the PIN is looked at. */
  attempt(address: string, given: string): PinVerdict;
  /** Forgets every address (a new share session). */
  clear(): void;
  size(): number;
}

interface Entry {
  failures: number;
  lockedUntil: number;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** PIN check with a bounded per-address failure table (an LRU), so a flood of addresses costs bounded memory. */
export function createPinGuard(pin: string, options: PinGuardOptions = {}): PinGuard {
  const maxFailures = options.maxFailures ?? 3;
  const lockMs = options.lockMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 1024;
  const now = options.now ?? Date.now;
  const expected = digest(pin);
  // Map keeps insertion order: re-inserting on every touch makes the first key the least recent.
  const entries = new Map<string, Entry>();

  function touch(address: string): Entry {
    const entry = entries.get(address) ?? { failures: 0, lockedUntil: 0 };
    entries.delete(address);
    entries.set(address, entry);
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    return entry;
  }

  return {
    attempt(address, given) {
      const entry = touch(address);
      const at = now();
      if (entry.lockedUntil > at) return { kind: 'locked', retryAfterMs: entry.lockedUntil - at };
      if (entry.lockedUntil !== 0) {
        // The lock ran out: a fresh set of attempts.
        entry.failures = 0;
        entry.lockedUntil = 0;
      }
      // Hashing first gives equal lengths, so the comparison takes the same time whatever was typed.
      if (timingSafeEqual(digest(given), expected)) {
        entries.delete(address);
        return { kind: 'ok' };
      }
      entry.failures += 1;
      if (entry.failures >= maxFailures) entry.lockedUntil = at + lockMs;
      return { kind: 'wrong', attemptsLeft: Math.max(0, maxFailures - entry.failures) };
    },
    clear: () => entries.clear(),
    size: () => entries.size,
  };
}
