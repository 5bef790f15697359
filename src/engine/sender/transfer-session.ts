import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { JobPhase, UploadJob } from '../../shared/upload-job';
import { throttledBody, type BandwidthLimiter } from './bandwidth-limiter';
import type { ChunkHasher } from './chunk-hasher';
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
  /** Records resume state (URLs, parts) on the job and persists it; `durable` resolves once it is stored. */
  save(patch: Partial<UploadJob>, durable?: boolean): void | Promise<void>;
  onAcknowledged(total: number): void;
  onSent(total: number): void;
  onPhase(phase: JobPhase): void;
  /** A growing source: `size` is what exists so far; `final` once its length is declared. */
  onSize(size: number, final: boolean): void;
  /** Waits while the job's target is told to hold off (429, 503 + Retry-After). */
  gate(): Promise<void>;
}

export interface Session {
  job: UploadJob;
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

/** Per-chunk sha256 `Upload-Checksum`, where the server takes it. */
export const checksumsWanted = ({ settings, caps }: Session) =>
  settings.checksum && caps.extensions.has('checksum') && caps.checksumAlgorithms.has('sha256');

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
