// The receiver's share endpoints, as the page uses them. Every failure comes back as a value.

export interface ShareInfo {
  device: string;
  pinRequired: boolean;
  acceptRequired: boolean;
  guest?: { id: string; approved: boolean };
}

export type Trouble = { kind: 'ended' } | { kind: 'unreachable' };
/** The computer disconnected this device: it may join again only under a new link. */
export type Disconnected = { kind: 'disconnected' };
export type InfoResult = ({ kind: 'ok' } & ShareInfo) | Trouble;
export type JoinResult =
  | ({ kind: 'joined'; token: string } & ShareInfo)
  | { kind: 'pin-required' }
  | { kind: 'pin-wrong'; attemptsLeft: number }
  | { kind: 'pin-locked'; seconds: number }
  | Disconnected
  | Trouble;
export type AskResult = { kind: 'accepted' } | { kind: 'declined' } | { kind: 'waiting' } | Trouble;

async function call(path: string, token: string, body?: unknown): Promise<Response | Trouble> {
  try {
    const response = await fetch(path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
    if (response.status === 401 && !(await errorOf(response.clone())).code.startsWith('PIN_')) return { kind: 'ended' };
    return response;
  } catch {
    return { kind: 'unreachable' };
  }
}

async function errorOf(response: Response): Promise<{ code: string; attemptsLeft?: number }> {
  try {
    const body = (await response.json()) as { error?: { code?: string; attemptsLeft?: number } };
    return { code: body.error?.code ?? '', attemptsLeft: body.error?.attemptsLeft };
  } catch {
    return { code: '' };
  }
}

const isTrouble = (value: Response | Trouble): value is Trouble => !(value instanceof Response);

export async function getInfo(token: string): Promise<InfoResult> {
  const response = await call('/share/info', token);
  if (isTrouble(response)) return response;
  if (!response.ok) return { kind: 'unreachable' };
  return { kind: 'ok', ...((await response.json()) as ShareInfo) };
}

export async function join(linkToken: string, pin?: string): Promise<JoinResult> {
  const response = await call('/share/join', linkToken, {
    device: deviceSecret(),
    ...(pin === undefined ? {} : { pin }),
  });
  if (isTrouble(response)) return response;
  if (response.status === 201) return { kind: 'joined', ...((await response.json()) as ShareInfo & { token: string }) };
  if (response.status === 429)
    return { kind: 'pin-locked', seconds: Number(response.headers.get('Retry-After')) || 60 };
  const error = await errorOf(response);
  if (error.code === 'PIN_REQUIRED') return { kind: 'pin-required' };
  if (error.code === 'PIN_WRONG') return { kind: 'pin-wrong', attemptsLeft: error.attemptsLeft ?? 0 };
  if (error.code === 'DEVICE_DISCONNECTED') return { kind: 'disconnected' };
  return { kind: 'unreachable' };
}

export async function ask(
  guestToken: string,
  files: { count: number; totalBytes: number; names: string[] },
): Promise<AskResult> {
  const response = await call('/share/ask', guestToken, { files });
  if (isTrouble(response)) return response;
  if (!response.ok) return { kind: 'unreachable' };
  const { state } = (await response.json()) as { state: 'accepted' | 'declined' | 'waiting' };
  return { kind: state };
}

/** The guest token survives a reload (so its uploads stay its own and can resume), per share link. */
const storageKey = 'ferry.guest';

export function loadGuest(linkToken: string): string | undefined {
  try {
    const saved = JSON.parse(localStorage.getItem(storageKey) ?? 'null') as { link?: string; token?: string } | null;
    return saved?.link === linkToken && typeof saved.token === 'string' ? saved.token : undefined;
  } catch {
    return undefined;
  }
}

export function saveGuest(linkToken: string, token: string | undefined): void {
  try {
    if (token) localStorage.setItem(storageKey, JSON.stringify({ link: linkToken, token }));
    else localStorage.removeItem(storageKey);
  } catch {
    /* private mode: resuming after a reload needs a fresh join, nothing else changes */
  }
}

/**
 * This browser's own secret, kept for good: the receiver stamps the uploads it makes with a hash of it,
 * so under a later share link (a new guest token) the same file picked again continues its upload.
 * Without storage it lasts as long as the page.
 */
const deviceKey = 'ferry.device';
let sessionDevice: string | undefined;

export function deviceSecret(): string {
  try {
    const saved = localStorage.getItem(deviceKey);
    if (saved && /^[A-Za-z0-9_-]{22,128}$/.test(saved)) return saved;
  } catch {
    /* private mode: below */
  }
  sessionDevice ??= newSecret();
  try {
    localStorage.setItem(deviceKey, sessionDevice);
  } catch {
    /* kept for this page only */
  }
  return sessionDevice;
}

function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}
