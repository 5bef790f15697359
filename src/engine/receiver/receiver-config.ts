import type { Logger } from 'pino';

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
  expireAfterMs?: number;
  /** Extra origins allowed for CORS and WebSocket upgrades, e.g. a web app's. */
  corsOrigins?: string[];
  /** Disk space creation never eats into (default 64 MiB). */
  freeSpaceReserve?: number;
  /** fsync before acknowledging an offset (default true). */
  durable?: boolean;
  /** Rolling idle read timeout for every connection (default 60 s). */
  idleTimeoutMs?: number;
  headersTimeoutMs?: number;
  /** Also answer on the machine's LAN addresses. */
  lan?: boolean;
  sweepIntervalMs?: number;
  shutdownGraceMs?: number;
  multipartLimits?: Partial<MultipartLimits>;
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
  idleTimeoutMs: 60_000,
  headersTimeoutMs: 20_000,
  sweepIntervalMs: 60_000,
  shutdownGraceMs: 10_000,
  maxWebSocketClients: 64,
  metadataLimits: { maxPairs: 32, maxBytes: 8 * 1024 },
  lockTimeoutMs: 10_000,
};
