import { afterEach, describe, expect, it, vi } from 'vitest';
import { createShareSession } from './share-session';

afterEach(() => {
  vi.useRealTimers();
});

describe('share session', () => {
  it('gives each device its own guest token; the link token only joins', () => {
    const session = createShareSession({ idleMs: 60_000, onIdle: () => {} });
    const a = session.join({ userAgent: 'a', address: '10.0.0.2' })!;
    const b = session.join({ userAgent: 'b', address: '10.0.0.3' })!;
    expect(session.resolve(session.linkToken)).toEqual({ kind: 'link' });
    expect(session.resolve(a.token)).toEqual({ kind: 'guest', guestId: a.guest.id });
    expect(session.resolve(b.token)).toEqual({ kind: 'guest', guestId: b.guest.id });
    expect(a.token).not.toBe(b.token);
    expect(session.resolve('made-up')).toBeNull();
    session.end();
  });

  it('refuses joins past the limit', () => {
    const session = createShareSession({ idleMs: 60_000, maxGuests: 2, onIdle: () => {} });
    expect(session.join({ userAgent: '', address: '' })).toBeDefined();
    expect(session.join({ userAgent: '', address: '' })).toBeDefined();
    expect(session.join({ userAgent: '', address: '' })).toBeUndefined();
    session.end();
  });

  it('rotates the link and drops every guest on revoke; revokes one guest alone', () => {
    const session = createShareSession({ idleMs: 60_000, onIdle: () => {} });
    const oldLink = session.linkToken;
    const a = session.join({ userAgent: '', address: '' })!;
    const b = session.join({ userAgent: '', address: '' })!;
    expect(session.revokeGuest(a.guest.id)).toBe(true);
    expect(session.resolve(a.token)).toBeNull();
    expect(session.resolve(b.token)).not.toBeNull();
    const { linkToken, dropped } = session.rotate();
    expect(dropped).toEqual([b.guest.id]);
    expect(session.resolve(oldLink)).toBeNull();
    expect(session.resolve(b.token)).toBeNull();
    expect(session.resolve(linkToken)).toEqual({ kind: 'link' });
    session.end();
    expect(session.resolve(linkToken)).toBeNull();
  });

  it('ends after idleMs without a guest request, and not while one runs', () => {
    vi.useFakeTimers();
    const onIdle = vi.fn();
    const session = createShareSession({ idleMs: 1_000, onIdle, now: () => Date.now() });
    vi.advanceTimersByTime(600);
    expect(session.offAt()! - Date.now()).toBe(400);
    const done = session.begin();
    expect(session.offAt()).toBeNull();
    vi.advanceTimersByTime(5_000);
    expect(onIdle).not.toHaveBeenCalled();
    done();
    done();
    vi.advanceTimersByTime(999);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
    session.end();
  });
});
