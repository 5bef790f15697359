import { createHash, randomBytes } from 'node:crypto';
import type { AccessScope } from '../http/access-policy';

export interface Guest {
  id: string;
  userAgent: string;
  address: string;
  joinedAt: string;
}

export interface ShareSessionOptions {
  /** No guest request for this long ends the session (`onIdle`). */
  idleMs: number;
  /** Devices that may join one session (default 256). */
  maxGuests?: number;
  onIdle: () => void;
  now?: () => number;
}

export interface ShareSession {
  /** The secret in the share link; it can only join. */
  readonly linkToken: string;
  /** The scope a link or guest token grants in this session, or null. */
  resolve(token: string): AccessScope | null;
  /** A device joins: its own guest token. undefined when the session is full. */
  join(device: { userAgent: string; address: string }): { guest: Guest; token: string } | undefined;
  guest(guestId: string): Guest | undefined;
  guests(): Guest[];
  revokeGuest(guestId: string): boolean;
  /** Invalidates the link and every guest; returns the new link token and the guests dropped. */
  rotate(): { linkToken: string; dropped: string[] };
  /** A guest request started; the returned function ends it. The idle clock stops while any runs. */
  begin(): () => void;
  /** When the session ends unless a guest request comes first; null while one is running. */
  offAt(): number | null;
  /** Invalidates everything and stops the clock; idempotent. */
  end(): void;
  readonly ended: boolean;
}

const newSecret = () => randomBytes(24).toString('base64url');
// Tokens are looked up by their hash: the map never holds a secret, and its lookup time says nothing about one.
const keyOf = (token: string) => createHash('sha256').update(token).digest('base64url');

export function createShareSession(options: ShareSessionOptions): ShareSession {
  const now = options.now ?? Date.now;
  const maxGuests = options.maxGuests ?? 256;
  const scopes = new Map<string, AccessScope>();
  const guests = new Map<string, { guest: Guest; key: string }>();
  let linkKey = '';
  let linkToken = '';
  let inFlight = 0;
  let lastActivity = now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ended = false;

  function issueLink(): void {
    if (linkKey) scopes.delete(linkKey);
    linkToken = newSecret();
    linkKey = keyOf(linkToken);
    scopes.set(linkKey, { kind: 'link' });
  }

  function arm(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (ended || inFlight > 0) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        if (ended || inFlight > 0) return;
        // A timer can fire a little early; only idle time really spent counts.
        if (now() - lastActivity < options.idleMs) return arm();
        options.onIdle();
      },
      Math.max(0, lastActivity + options.idleMs - now()),
    );
    timer.unref?.();
  }

  issueLink();
  arm();

  const dropGuest = (guestId: string) => {
    const entry = guests.get(guestId);
    if (!entry) return false;
    scopes.delete(entry.key);
    guests.delete(guestId);
    return true;
  };

  return {
    get linkToken() {
      return linkToken;
    },
    get ended() {
      return ended;
    },
    resolve: (token) => (ended ? null : (scopes.get(keyOf(token)) ?? null)),

    join(device) {
      if (ended || guests.size >= maxGuests) return undefined;
      const token = newSecret();
      const guest: Guest = {
        id: randomBytes(9).toString('base64url'),
        userAgent: device.userAgent,
        address: device.address,
        joinedAt: new Date(now()).toISOString(),
      };
      const key = keyOf(token);
      guests.set(guest.id, { guest, key });
      scopes.set(key, { kind: 'guest', guestId: guest.id });
      return { guest, token };
    },

    guest: (guestId) => guests.get(guestId)?.guest,
    guests: () => [...guests.values()].map((entry) => entry.guest),
    revokeGuest: dropGuest,

    rotate() {
      const dropped = [...guests.keys()];
      for (const guestId of dropped) dropGuest(guestId);
      issueLink();
      return { linkToken, dropped };
    },

    begin() {
      inFlight += 1;
      lastActivity = now();
      arm();
      let done = false;
      return () => {
        if (done) return;
        done = true;
        inFlight -= 1;
        lastActivity = now();
        arm();
      };
    },

    offAt: () => (ended ? null : inFlight > 0 ? null : lastActivity + options.idleMs),

    end() {
      if (ended) return;
      ended = true;
      if (timer !== undefined) clearTimeout(timer);
      scopes.clear();
      guests.clear();
    },
  };
}
