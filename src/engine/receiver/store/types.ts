import type { Readable } from 'node:stream';
import type { UploadStatus } from '../../../shared/progress-event';
import type { ChecksumRequest, UploadMetadata } from '../tus/tus-headers';

export type ConcatInfo = { kind: 'partial' } | { kind: 'final'; parts: string[] };

/** What a store persists about one upload. The data's size, not this record, is the offset. */
export interface UploadInfo {
  id: string;
  /** null while the length is deferred. */
  length: number | null;
  metadata: UploadMetadata;
  status: UploadStatus;
  createdAt: string;
  /** Last time bytes arrived; drives expiry of incomplete uploads. */
  touchedAt: string;
  concat?: ConcatInfo;
  /** Set while the finished bytes are being moved into the receive folder. */
  finalizing?: boolean;
  /** Where the finished file landed, relative to the receive folder. */
  placedPath?: string;
  /** Set when the data was moved out (completed, expired): the offset is then `length` (or 0 when expired). */
  dataReleased?: boolean;
  /** A partial upload: the final upload that used its bytes, so a repeated request gets the same answer. */
  consumedBy?: string;
}

export interface WriteOptions {
  /** Overrides the store's durability for this one record write. */
  durable?: boolean;
  /**
   * create only: false keeps the record in memory until its next update. For an upload created and
   * filled by one request, whose client learns its URL only from the answer.
   */
  persist?: boolean;
}

export interface StoredUpload {
  info: UploadInfo;
  offset: number;
}

export interface AppendOptions {
  /** The offset the client claims; the store refuses to write anywhere else. */
  offset: number;
  /** Write at most this many bytes; extra bytes make the append stop with `exceeded: true`. */
  maxBytes: number;
  checksum?: ChecksumRequest;
  signal?: AbortSignal;
  /** Called after each write lands in the data file, with the new offset. */
  onProgress?: (offset: number) => void;
}

export interface AppendResult {
  offset: number;
  /** The source had more bytes than maxBytes allowed. */
  exceeded: boolean;
  /** The signal fired (lock released or client gone) before the source ended. */
  interrupted: boolean;
}

export interface ReconcileReport {
  quarantined: string[];
  truncated: string[];
  rolledBack: string[];
  unfinalized: string[];
}

/**
 * The storage port. Every store (file today, S3 later) passes `store-contract.ts`.
 * Errors carry stable codes: UPLOAD_NOT_FOUND, OFFSET_MISMATCH, CHECKSUM_MISMATCH, INSUFFICIENT_STORAGE.
 */
export interface UploadStore {
  /** Reconciles state left by a crash. Call once before serving. */
  init(): Promise<ReconcileReport>;
  /** `durable: false` skips fsync for records a client has not been told about yet. */
  create(info: UploadInfo, options?: WriteOptions): Promise<void>;
  get(id: string): Promise<StoredUpload | undefined>;
  update(id: string, patch: Partial<Omit<UploadInfo, 'id'>>, options?: WriteOptions): Promise<UploadInfo>;
  append(id: string, source: Readable, options: AppendOptions): Promise<AppendResult>;
  /** Concatenates finished partial uploads into the (empty) data of `id`. */
  concatenate(id: string, partIds: string[]): Promise<number>;
  /**
   * The sha256 (hex) of an upload's `length` bytes if the store hashed them as they arrived, else
   * undefined (read the file instead). Answers once per upload.
   */
  sha256Of?(id: string, length: number): Promise<string | undefined>;
  /** A local path holding the upload's bytes, for moving them into the receive folder. */
  dataPath(id: string): string;
  /** Forgets the bytes but keeps the record (completed or expired uploads keep answering). */
  releaseData(id: string): Promise<void>;
  remove(id: string): Promise<void>;
  list(): Promise<UploadInfo[]>;
  /** Bytes free for new uploads, or Infinity when unknown. */
  freeBytes(): Promise<number>;
}
