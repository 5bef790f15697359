import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { JobPhase, UploadJob } from '../../shared/upload-job';
import { throttledBody, type BandwidthLimiter } from './bandwidth-limiter';
import type { ChunkHasher } from './chunk-hasher';
import type { SourceIdentity } from './chunk-reader';
import type { QueuedJob } from './queued-job';
import { requestBytes, sliceBytesFor, type LinkMeter } from './request-size';
import type { ServerCapabilities, TusClient, TusTarget } from './tus-client';

export interface TransferSettings {
  /** The most bytes per request; a slower link gets less (see request-size.ts). */
  chunkSize: number;
  /** Chunks in flight per file; above 1 uses tus concatenation where the server has it. */
  parallel: number;
  stallTimeoutMs: number;
  checksum: boolean;
  /** A growing source counts as finished once its size and mtime have not moved for this long. */
  growingQuietMs: number;
}

export interface TransferDeps {
  client: TusClient;
  hasher: ChunkHasher;
  limiter: BandwidthLimiter;
  /** What requests to this job's target have been getting through lately. */
  link: LinkMeter;
  settings: () => TransferSettings;
  /**
   * Records resume state (URLs, parts) on the job and persists it; `durable` resolves once it is stored.
   * This and the `on…` reports are the only way a transfer changes its job: all go to `queue.update`.
   */
  save(patch: Partial<UploadJob>, durable?: boolean): void | Promise<void>;
  onAcknowledged(total: number): void;
  /** The target already holds `total` bytes, stored before this transfer (its HEAD said so): not sent now. */
  onResumedAt(total: number): void;
  onSent(total: number): void;
  onPhase(phase: JobPhase): void;
  /** A growing source: `size` is what exists so far; `final` once its length is declared. */
  onSize(size: number, final: boolean): void;
  /** Waits while the job's target is told to hold off (429, 503 + Retry-After). */
  gate(): Promise<void>;
}

/**
 * What one transfer works with. Made by `fileSession`, derived by `forPart` and `forRound`, which
 * say field by field what a derived session shares with its file's and what it has of its own.
 */
export interface Session {
  /** The job as it stood when the transfer began; changes go through `deps`, never onto it. */
  job: QueuedJob;
  /** What every read checks the file against: the job's size and mtime, or a growing file's as it is now. */
  source: SourceIdentity;
  target: TusTarget;
  handle: FileHandle;
  caps: ServerCapabilities;
  settings: TransferSettings;
  deps: TransferDeps;
  signal: AbortSignal;
  /** Read and hash the next chunk while this one is on the wire (a second buffer per file). */
  prefetch: boolean;
  /** Read buffers, reused by every range sent through this session (a growing file's rounds). */
  slots: ChunkSlots;
}

export interface ChunkSlots {
  buffers: Buffer[];
  /** A buffer the whole-file digest still reads in place is not refilled before it is done. */
  hashing: Promise<void>[];
}

export const newSlots = (): ChunkSlots => ({ buffers: [], hashing: [] });

/** The session of one file's transfer: read ahead, one pair of buffers for every range it sends. */
export function fileSession(
  job: QueuedJob,
  handle: FileHandle,
  caps: ServerCapabilities,
  settings: TransferSettings,
  deps: TransferDeps,
  signal: AbortSignal,
): Session {
  const source = { path: job.path, size: job.size, mtimeMs: job.mtimeMs, growing: job.growing };
  return { job, source, target: job.target, handle, caps, settings, deps, signal, prefetch: true, slots: newSlots() };
}

/**
 * One part of a file sent in parts. Shares the file, its target, deps and settings; has its own abort
 * signal (one failing part stops the others), its own buffers, and reads ahead only when asked.
 */
export function forPart(file: Session, signal: AbortSignal, prefetch: boolean): Session {
  const { job, source, target, handle, caps, settings, deps } = file;
  return { job, source, target, handle, caps, settings, deps, signal, prefetch, slots: newSlots() };
}

/**
 * One round of a growing file: everything as the file's session, buffers included (rounds reuse them),
 * but reads check against the size and mtime the file has now, so a write during a read ends the round.
 */
export function forRound(file: Session, now: { size: number; mtimeMs: number }): Session {
  const { job, target, handle, caps, settings, deps, signal, prefetch, slots } = file;
  const source = { path: job.path, size: now.size, mtimeMs: now.mtimeMs, growing: true };
  return { job, source, target, handle, caps, settings, deps, signal, prefetch, slots };
}

/** Metadata key that makes a creation idempotent on Ferry's receiver (`idempotent-creation`). */
export const idempotencyKeyName = 'ferry-idempotency-key';

/**
 * `sha256` (hex, whole file) goes along where it is known at creation: Ferry's receiver checks it end
 * to end. `key` makes the creation idempotent there: a repeat gets the same upload.
 */
export function metadataOf(job: UploadJob, sha256?: string, key?: string): Record<string, string> {
  return {
    filename: job.name,
    ...(job.relativePath ? { relativePath: job.relativePath } : {}),
    ...(sha256 ? { sha256 } : {}),
    ...(key ? { [idempotencyKeyName]: key } : {}),
  };
}

/** One key per file content: the job and the sha256 of what it sends. */
export const idempotencyKeyOf = (job: UploadJob, sha256: string) => `${job.id}.${sha256}`;

/** Ferry's receiver checks a whole-file sha256, which a final upload can carry for a chunked file. */
export const sealsWithSha256 = ({ caps }: Pick<Session, 'caps'>) =>
  caps.extensions.has('concatenation') && caps.ferryFeatures.has('end-to-end-sha256');

/**
 * Ferry's receiver (`sha256-one-pass`): an upload checked whole against its sha256 is hashed once as it
 * is stored and keeps the bytes of a request that broke off, so its chunks need no checksums of their
 * own, and its requests may be as long as progress allows (stream-range.ts).
 */
export const oneHashPass = ({ caps }: Pick<Session, 'caps'>) => caps.ferryFeatures.has('sha256-one-pass');

/**
 * Per-chunk sha256 `Upload-Checksum`, where the server takes it, unless the server checks the whole
 * upload (`checkedWhole`: its sha256 is declared, or a final upload will carry it) in one pass anyway.
 */
export const checksumsWanted = (session: Session, checkedWhole: boolean) =>
  session.settings.checksum &&
  session.caps.extensions.has('checksum') &&
  session.caps.checksumAlgorithms.has('sha256') &&
  !(checkedWhole && oneHashPass(session));

/** Bytes the next request should carry: about two seconds' worth at the rate the link gets now. */
export const nextRequestBytes = ({ settings, deps }: Session) =>
  requestBytes(settings.chunkSize, deps.limiter.rate, deps.link.rate());

/**
 * The body as a stream of slices, so progress (and the stall watch) see bytes as they leave. Every
 * slice passes the limiter, so a limit set while a chunk is on the wire applies to it at once.
 */
export function bodyOf(buffer: Buffer, limiter: BandwidthLimiter, signal: AbortSignal): Readable {
  return throttledBody(buffer, limiter, signal, sliceBytesFor(limiter.rate));
}
