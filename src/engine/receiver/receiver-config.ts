import type { Logger } from 'pino';
import type { GuestDecider } from './sharing/accept-gate';
import type { LandingThread } from './multipart/landing-thread';

export interface MultipartLimits {
  maxFileSize: number;
  maxFiles: number;
  maxFields: number;
  maxParts: number;
  maxHeaderPairs: number;
  maxFieldSize: number;
}

export interface ReceiverOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The receive folder: finished files land here. */
  dir: string;
  /** Where upload state lives; defaults to `<dir>/.ferry/uploads`. */
  stateDir?: string;
  /** Per-launch secret; undefined generates one, null disables auth (`--no-auth`). */
  token?: string | null;
  maxSize?: number;
  /** Inactivity after which an unfinished upload expires (default 24 h). */
  expireAfterMs?: number;
  /**
   * How long finished, failed and expired uploads keep their records (their ids answer HEAD) and
   * quarantined data stays, from when they finished (default 7 days). After it, HEAD answers 404.
   */
  retainFinishedMs?: number;
  /** Extra origins allowed for CORS and WebSocket upgrades, e.g. a web app's. */
  corsOrigins?: string[];
  /** Disk space creation never eats into (default 64 MiB). */
  freeSpaceReserve?: number;
  /** fsync before acknowledging an offset (default true). */
  durable?: boolean;
  /** Rolling idle read timeout for every connection (default 60 s). */
  idleTimeoutMs?: number;
  headersTimeoutMs?: number;
  /** The built browser page (out/web), served at `/`; without it `/` says the page is not built. */
  webRoot?: string;
  /** The name the page shows for this computer (default: the host name). */
  deviceName?: string;
  /**
   * Decides accept prompts when sharing runs with `requireAccept` (the CLI's y/n, the app's dialog).
   * Without it, prompts wait for `receiver.sharing.decide()`.
   */
  acceptGuest?: GuestDecider;
  /** Defaults for LAN sharing: idle time before it turns off, PIN lock-out, prompt timeout, long-poll wait. */
  sharingDefaults?: { idleMs?: number; pinLockMs?: number; acceptTimeoutMs?: number; askWaitMs?: number };
  sweepIntervalMs?: number;
  shutdownGraceMs?: number;
  multipartLimits?: Partial<MultipartLimits>;
  /** The thread bulk requests' small files are written and landed on; the receiver starts one when none is given. */
  landingThread?: LandingThread;
  maxWebSocketClients?: number;
  logger?: Logger | false;
}

export const defaultMultipartLimits: MultipartLimits = {
  maxFileSize: 10 * 1024 ** 3,
  maxFiles: 1000,
  maxFields: 100,
  maxParts: 1100,
  maxHeaderPairs: 32,
  maxFieldSize: 64 * 1024,
};

export const receiverDefaults = {
  host: '127.0.0.1',
  port: 0,
  maxSize: 10 * 1024 ** 4,
  expireAfterMs: 24 * 60 * 60 * 1000,
  retainFinishedMs: 7 * 24 * 60 * 60 * 1000,
  idleTimeoutMs: 60_000,
  headersTimeoutMs: 20_000,
  sweepIntervalMs: 60_000,
  shutdownGraceMs: 10_000,
  maxWebSocketClients: 64,
  metadataLimits: { maxPairs: 32, maxBytes: 8 * 1024 },
  lockTimeoutMs: 10_000,
};

/**
 * The options over the defaults. An option given as `undefined` (an unset CLI flag, a spread of a
 * partial object) means "not given": a plain spread would erase the default with it (`maxSize:
 * undefined` became no limit, announced as `Tus-Max-Size: undefined`).
 */
export function resolveReceiverConfig(options: ReceiverOptions) {
  const given = Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as ReceiverOptions;
  return { ...receiverDefaults, ...given };
}
