import type { Server as HttpServer } from 'node:http';
import { FerryError } from '../../errors';
import type { AccessScope } from '../http/access-policy';
import { createAcceptGate, type AcceptGateEvent, type GuestDecider, type GuestRequest } from './accept-gate';
import { createGuestLedger } from './guest-ledger';
import { createGuestRoutes, type ActiveShare, type GuestRoutes, type GuestRoutesDeps } from './guest-routes';
import { checkLanAddress, createLanListeners, defaultLanAddresses, type LanEndpoint } from './lan-listeners';
import { createPinGuard } from './pin-guard';
import { linkQr, type QrFormat } from './share-qr';
import { createShareSession, type Guest } from './share-session';

export interface SharingStartOptions {
  /** Addresses other devices reach this machine on; default: its non-loopback IPv4 addresses. */
  addresses?: string[];
  /** A PIN the page asks for before anything else; none by default. */
  pin?: string | null;
  /** A new device's first upload waits until someone accepts it (`decide` or the receiver's `acceptGuest`). */
  requireAccept?: boolean;
  /** Sharing turns itself off after this long without a guest request (default 15 min). */
  idleMs?: number;
}

export type SharingStopReason = 'idle' | 'stopped' | 'restarted' | 'closed';

export interface SharingGuestView extends Guest {
  approved: boolean;
  uploads: number;
}

export interface SharingStatus {
  active: boolean;
  /** The link to show and encode in the QR code (the first address); null while off. */
  link: string | null;
  /** One link per address shared on. */
  links: string[];
  endpoints: LanEndpoint[];
  idleMs: number;
  /** Epoch ms at which sharing turns off unless a guest request comes first; null while off or while a guest request runs. */
  offAt: number | null;
  /** `offAt` minus now, for a countdown; null as for `offAt`. */
  remainingMs: number | null;
  pinRequired: boolean;
  acceptRequired: boolean;
  guests: SharingGuestView[];
  pending: GuestRequest[];
}

export type SharingEvent =
  | { type: 'started'; status: SharingStatus }
  | { type: 'stopped'; reason: SharingStopReason }
  | { type: 'link-changed'; status: SharingStatus }
  | { type: 'guest-joined'; guest: Guest }
  | { type: 'guest-revoked'; guestId: string }
  | AcceptGateEvent;

/** The engine API the desktop app (and `ferry serve --lan`) drives LAN sharing with. */
export interface Sharing {
  /** Turns sharing on (or replaces the running share with a fresh link). */
  start(options?: SharingStartOptions): Promise<SharingStatus>;
  stop(): Promise<void>;
  status(): SharingStatus;
  /** The current link as a QR code. */
  qr(format?: QrFormat): Promise<string>;
  /** Ends the link and every device that joined through it; sharing stays on with a new link. */
  revoke(): SharingStatus;
  revokeGuest(guestId: string): boolean;
  /** Answers an accept prompt; false when it is no longer pending. */
  decide(requestId: string, accept: boolean): boolean;
  pending(): GuestRequest[];
  subscribe(listener: (event: SharingEvent) => void): () => void;
}

export interface SharingDeps extends Pick<GuestRoutesDeps, 'deviceName' | 'tus' | 'multipartFor'> {
  http: HttpServer;
  /** The receiver's port; 0 until it listens. */
  port(): number;
  /** The address the receiver itself is bound to. */
  mainHost: string;
  /** Sharing needs the app's token to be on: a guest scope means nothing on an open server. */
  authEnabled: boolean;
  decider?: GuestDecider;
  /** Closes the WebSocket clients of these guests (every guest with 'all'). */
  disconnectGuests(guestIds: ReadonlySet<string> | 'all'): void;
  defaults?: { idleMs?: number; pinLockMs?: number; acceptTimeoutMs?: number; askWaitMs?: number };
  now?: () => number;
}

/** What the receiver wires in: the API plus the hooks its policy, routes and /ws consult. */
export interface SharingHost {
  api: Sharing;
  resolveToken(token: string): AccessScope | null;
  routes: GuestRoutes;
  hosts(): string[];
  origins(): string[];
  /** Which uploads a /ws client with this scope may see; undefined means all. */
  visibleTo(scope: AccessScope): ((uploadId: string) => boolean) | undefined;
  close(): Promise<void>;
}

const hostOf = (endpoint: LanEndpoint) =>
  `${endpoint.address.includes(':') ? `[${endpoint.address}]` : endpoint.address}:${endpoint.port}`;
const wildcard = (host: string) => host === '0.0.0.0' || host === '::';

export function createSharing(deps: SharingDeps): SharingHost {
  const now = deps.now ?? Date.now;
  const listeners = new Set<(event: SharingEvent) => void>();
  const emit = (event: SharingEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        /* a listener's failure is its own */
      }
    }
  };
  const ledger = createGuestLedger();
  const gate = createAcceptGate({ decider: deps.decider, timeoutMs: deps.defaults?.acceptTimeoutMs, onEvent: emit });
  const lan = createLanListeners(deps.http);
  let share: (ActiveShare & { endpoints: LanEndpoint[]; idleMs: number }) | undefined;
  // start/stop run one at a time, in call order.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  const links = () =>
    share ? share.endpoints.map((endpoint) => `http://${hostOf(endpoint)}/?t=${share!.session.linkToken}`) : [];

  function status(): SharingStatus {
    const offAt = share?.session.offAt() ?? null;
    const all = links();
    return {
      active: share !== undefined,
      link: all[0] ?? null,
      links: all,
      endpoints: share ? [...share.endpoints] : [],
      idleMs: share?.idleMs ?? deps.defaults?.idleMs ?? 15 * 60_000,
      offAt,
      remainingMs: offAt === null ? null : Math.max(0, offAt - now()),
      pinRequired: share?.pins != null,
      acceptRequired: share?.requireAccept ?? false,
      guests: share
        ? share.session.guests().map((guest) => ({
            ...guest,
            approved: !share!.requireAccept || gate.isApproved(guest.id),
            uploads: ledger.count(guest.id),
          }))
        : [],
      pending: gate.pending(),
    };
  }

  async function stopNow(reason: SharingStopReason): Promise<void> {
    const ending = share;
    if (!ending) return;
    share = undefined;
    ending.session.end();
    gate.reset();
    ledger.clear();
    // Shutting down: the receiver's own close lets in-flight requests flush and closes every socket.
    const closing = reason === 'closed';
    if (!closing) deps.disconnectGuests('all');
    await lan.close({ keepConnections: closing });
    emit({ type: 'stopped', reason });
  }

  async function startNow(options: SharingStartOptions): Promise<SharingStatus> {
    if (!deps.authEnabled)
      throw new FerryError('SHARING_NEEDS_AUTH', "Sharing needs the receiver's token; it is off (--no-auth)", {
        status: 400,
      });
    const port = deps.port();
    if (port === 0)
      throw new FerryError('RECEIVER_NOT_LISTENING', 'Start the receiver before sharing', { status: 409 });
    const addresses = [
      ...new Set((options.addresses?.length ? options.addresses : defaultLanAddresses()).map(checkLanAddress)),
    ];
    if (addresses.length === 0)
      throw new FerryError('SHARING_NO_ADDRESS', 'This computer has no network address other devices could reach', {
        status: 409,
      });
    const idleMs = options.idleMs ?? deps.defaults?.idleMs ?? 15 * 60_000;
    if (!(idleMs > 0)) throw new FerryError('SHARING_BAD_IDLE', 'The idle time must be positive', { status: 400 });
    if (options.pin !== undefined && options.pin !== null && !/^\S{1,64}$/.test(options.pin))
      throw new FerryError('SHARING_BAD_PIN', 'A PIN is 1 to 64 characters, no spaces', { status: 400 });
    await stopNow('restarted');
    // Addresses the receiver already answers on need no listener of their own.
    const covered = (address: string) => wildcard(deps.mainHost) || address === deps.mainHost;
    const opened = await lan.open(
      addresses.filter((address) => !covered(address)),
      port,
    );
    const endpoints = addresses.map((address) =>
      covered(address) ? { address, port } : opened.find((endpoint) => endpoint.address === address)!,
    );
    const session = createShareSession({ idleMs, now, onIdle: () => void serial(() => stopNow('idle')) });
    share = {
      session,
      endpoints,
      idleMs,
      requireAccept: options.requireAccept ?? false,
      pins: options.pin ? createPinGuard(options.pin, { lockMs: deps.defaults?.pinLockMs, now }) : null,
    };
    const started = status();
    emit({ type: 'started', status: started });
    return started;
  }

  const routes = createGuestRoutes({
    current: () => share,
    gate,
    ledger,
    deviceName: deps.deviceName,
    tus: deps.tus,
    multipartFor: deps.multipartFor,
    askWaitMs: deps.defaults?.askWaitMs,
    onJoined: (guest) => emit({ type: 'guest-joined', guest }),
  });

  const api: Sharing = {
    start: (options = {}) => serial(() => startNow(options)),
    stop: () => serial(() => stopNow('stopped')),
    status,
    async qr(format = 'svg') {
      const link = status().link;
      if (!link) throw new FerryError('SHARING_OFF', 'Sharing is off', { status: 409 });
      return linkQr(link, format);
    },
    revoke() {
      if (!share) throw new FerryError('SHARING_OFF', 'Sharing is off', { status: 409 });
      share.session.rotate();
      gate.reset();
      ledger.clear();
      deps.disconnectGuests('all');
      const changed = status();
      emit({ type: 'link-changed', status: changed });
      return changed;
    },
    revokeGuest(guestId) {
      if (!share?.session.revokeGuest(guestId)) return false;
      const only = new Set([guestId]);
      gate.cancel(only);
      ledger.disconnect(guestId);
      deps.disconnectGuests(only);
      emit({ type: 'guest-revoked', guestId });
      return true;
    },
    decide: (requestId, accept) => gate.decide(requestId, accept),
    pending: () => gate.pending(),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };

  return {
    api,
    routes,
    resolveToken: (token) => share?.session.resolve(token) ?? null,
    hosts: () => (share ? share.endpoints.map(hostOf) : []),
    origins: () => (share ? share.endpoints.map((endpoint) => `http://${hostOf(endpoint)}`) : []),
    visibleTo(scope) {
      if (scope.kind === 'app') return undefined;
      if (scope.kind === 'link') return () => false;
      return (uploadId) => ledger.owns(scope.guestId, uploadId);
    },
    close: () => serial(() => stopNow('closed')),
  };
}
