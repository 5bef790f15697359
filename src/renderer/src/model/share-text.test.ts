import { describe, expect, it } from 'vitest';
import { secondsLeft, spacedPin } from './share-text';

describe('share panel text', () => {
  it('groups a PIN for reading aloud', () => {
    expect(
      ['4821', '48213', '482913', '4821913', '48219137', '482913721', '4821913721', '482191372155', '482191372'].map(
        spacedPin,
      ),
    ).toEqual([
      '4821',
      '48213',
      '482 913',
      '4821 913',
      '4821 9137',
      '482 913 721',
      '4821 913 721',
      '4821 9137 2155',
      '482 191 372',
    ]);
  });

  it('counts down to offAt, within the idle time', () => {
    expect(secondsLeft({ offAt: 10_000, idleMs: 60_000 }, 4_000)).toBe(6);
    expect(secondsLeft({ offAt: 10_000, idleMs: 60_000 }, 12_000)).toBe(0);
    expect(secondsLeft({ offAt: 70_500, idleMs: 60_000 }, 10_000)).toBe(60);
    expect(secondsLeft({ offAt: null, idleMs: 60_000 }, 10_000)).toBe(60);
  });
});
