import type { IncomingMessage, ServerResponse } from 'node:http';
import { FerryError } from '../../errors';
import type { AccessScope } from '../http/access-policy';
import { replyJsonError } from '../http/json-response';
import type { TusContext } from '../tus/tus-context';
import { replyError } from '../tus/tus-response';
import { cleanFiles, cleanText, type AcceptGate } from './accept-gate';
import type { GuestLedger } from './guest-ledger';
import { deviceOwner } from './guest-owner';
import { createGuestTus } from './guest-tus';
import type { PinGuard } from './pin-guard';
import type { Guest, ShareSession } from './share-session';

/** What the routes need of the share that is on right now. */
export interface ActiveShare {
  session: ShareSession;
  pins: PinGuard | null;
  requireAccept: boolean;
}

export interface GuestRoutesDeps {
  current(): ActiveShare | undefined;
  gate: AcceptGate;
  ledger: GuestLedger;
  deviceName: string;
  tus: TusContext;
  /** A multipart handler whose upload ids come from `newId` (so they can be claimed for the guest). */
  multipartFor(newId: () => string): { handle(req: IncomingMessage, res: ServerResponse): Promise<void> };
  onJoined?(guest: Guest): void;
  /** Uploads one guest may create in a session (default 10,000). */
  maxUploadsPerGuest?: number;
  /** How long one `/share/ask` waits for a decision before answering 'waiting' (default 20 s). */
  askWaitMs?: number;
}

export interface GuestRoutes {
  /** Every request made with a link or guest token lands here; the app's token never does. */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    scope: Exclude<AccessScope, { kind: 'app' }>,
  ): Promise<void>;
}

const maxJsonBytes = 16 * 1024;

/** IPv4 peers on a dual-stack socket show as `::ffff:a.b.c.d`; one address, one PIN budget. */
export function peerAddress(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxJsonBytes) throw new FerryError('BODY_TOO_LARGE', 'The request body is too large', { status: 413 });
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxJsonBytes) throw new FerryError('BODY_TOO_LARGE', 'The request body is too large', { status: 413 });
    chunks.push(chunk);
  }
  if (size === 0) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    /* answered below */
  }
  throw new FerryError('BAD_JSON', 'The body must be a JSON object', { status: 400 });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

const forbidden = () => new FerryError('GUEST_FORBIDDEN', 'A share link can only send files', { status: 403 });
const notApproved = () =>
  new FerryError('GUEST_NOT_APPROVED', 'Waiting for someone to accept on the computer', { status: 403 });

export function createGuestRoutes(deps: GuestRoutesDeps): GuestRoutes {
  const maxUploads = deps.maxUploadsPerGuest ?? 10_000;
  const askWaitMs = deps.askWaitMs ?? 20_000;
  const basePath = deps.tus.config.basePath;
  const guestTus = createGuestTus({ tus: deps.tus, ledger: deps.ledger });

  function info(share: ActiveShare, guestId?: string) {
    return {
      device: deps.deviceName,
      pinRequired: share.pins !== null,
      acceptRequired: share.requireAccept,
      ...(guestId ? { guest: { id: guestId, approved: !share.requireAccept || deps.gate.isApproved(guestId) } } : {}),
    };
  }

  async function join(req: IncomingMessage, res: ServerResponse, share: ActiveShare): Promise<void> {
    const body = await readJson(req);
    const address = peerAddress(req);
    // The page's own secret for this browser: its uploads stay its own from one share link to the next.
    const device = deviceOwner(body.device);
    if (device && deps.ledger.isDisconnected(device))
      throw new FerryError('DEVICE_DISCONNECTED', 'The computer disconnected this device; ask for a new link', {
        status: 403,
      });
    if (share.pins) {
      const pin = typeof body.pin === 'string' ? body.pin.slice(0, 64) : '';
      if (!pin) throw new FerryError('PIN_REQUIRED', 'Enter the PIN shown on the computer', { status: 401 });
      const verdict = share.pins.attempt(address, pin);
      if (verdict.kind === 'locked') {
        const seconds = Math.ceil(verdict.retryAfterMs / 1000);
        return replyJsonError(res, 429, 'PIN_LOCKED', `Too many wrong PINs; try again in ${seconds} s`, {
          'Retry-After': String(seconds),
        });
      }
      if (verdict.kind === 'wrong') {
        res.setHeader('X-Ferry-Error', 'PIN_WRONG');
        return sendJson(res, 401, {
          error: {
            code: 'PIN_WRONG',
            message: `Wrong PIN (${verdict.attemptsLeft} tries left)`,
            attemptsLeft: verdict.attemptsLeft,
          },
        });
      }
    }
    const joined = share.session.join({ userAgent: cleanText(req.headers['user-agent'], 256), address });
    if (!joined) throw new FerryError('SHARE_FULL', 'Too many devices joined this share', { status: 429 });
    if (device) {
      deps.ledger.setDevice(joined.guest.id, device);
      await guestTus.inherit(joined.guest.id, maxUploads);
    }
    deps.onJoined?.(joined.guest);
    sendJson(res, 201, { token: joined.token, ...info(share, joined.guest.id) });
  }

  async function ask(req: IncomingMessage, res: ServerResponse, share: ActiveShare, guest: Guest): Promise<void> {
    const body = await readJson(req);
    if (!share.requireAccept) return sendJson(res, 200, { state: 'accepted' });
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    const state = await deps.gate.ask(
      guest,
      cleanFiles(body.files as Record<string, unknown> | undefined),
      askWaitMs,
      gone.signal,
    );
    sendJson(res, 200, { state });
  }

  /** Creating uploads: only once approved, within the guest's budget. */
  function admitCreation(share: ActiveShare, guestId: string): void {
    if (share.requireAccept && !deps.gate.isApproved(guestId)) throw notApproved();
    if (deps.ledger.count(guestId) >= maxUploads)
      throw new FerryError('GUEST_UPLOAD_LIMIT', 'Too many uploads from this device', { status: 429 });
  }

  const claiming = (guestId: string) => () => {
    const id = deps.tus.newId();
    deps.ledger.claim(guestId, id);
    return id;
  };

  return {
    async handle(req, res, url, scope) {
      const share = deps.current();
      const guest = scope.kind === 'guest' ? share?.session.guest(scope.guestId) : undefined;
      if (!share || (scope.kind === 'guest' && !guest)) {
        return replyJsonError(res, 401, 'UNAUTHORIZED', 'This share link has ended', { 'WWW-Authenticate': 'Bearer' });
      }
      const done = share.session.begin();
      res.once('close', done);
      const { pathname } = url;
      const isTus = pathname.startsWith(basePath);
      try {
        if (pathname === '/share/info' && req.method === 'GET') return sendJson(res, 200, info(share, guest?.id));
        if (scope.kind === 'link') {
          if (pathname === '/share/join' && req.method === 'POST') return await join(req, res, share);
          throw new FerryError('JOIN_FIRST', 'Join the share first (POST /share/join)', { status: 403 });
        }
        if (!guest) throw forbidden();
        if (pathname === '/share/ask' && req.method === 'POST') return await ask(req, res, share, guest);
        if (isTus) {
          if (pathname === basePath) admitCreation(share, guest.id);
          // Uploads a device made under an earlier link wait, like new ones, until this share accepts it.
          else if (share.requireAccept && !deps.gate.isApproved(guest.id)) throw notApproved();
          return await guestTus.handle(req, res, guest.id, pathname);
        }
        if (pathname === '/upload' && req.method === 'POST') {
          admitCreation(share, guest.id);
          return await deps.multipartFor(claiming(guest.id)).handle(req, res);
        }
        throw forbidden();
      } catch (error) {
        if (!req.complete && !res.headersSent) res.setHeader('Connection', 'close');
        if (isTus) return replyError(res, error);
        const known = error instanceof FerryError && error.status;
        replyJsonError(
          res,
          known ? error.status! : 500,
          known ? error.code : 'INTERNAL_ERROR',
          known ? error.message : 'Unexpected server error',
        );
      }
    },
  };
}
