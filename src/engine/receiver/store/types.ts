import type { Readable } from 'node:stream';
import type { UploadStatus } from '../../../shared/progress-event';

/** What the sender said about the file (name, type, sha256 ...): the store keeps it and reads nothing into it. */
export type UploadMetadata = Record<string, string>;

/** The digests a chunk can be verified with. */
export type ChecksumAlgorithm = 'sha1' | 'sha256' | 'md5';

/** A chunk's expected digest: the append keeps the chunk only when its bytes match. */
export interface ChunkChecksum {
  algorithm: ChecksumAlgorithm;
  digest: Buffer;
}

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
  /**
   * Set by the store when the upload reached a terminal status, and again when its record is done
   * changing (a part once a final used it or it expired). Retention counts from here.
   */
  finishedAt?: string;
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
  checksum?: ChunkChecksum;
  /** The body's declared length (Content-Length), when known: it lets a crash marker name the chunk. */
  expectedBytes?: number;
  signal?: AbortSignal;
  /**
   * Called with the offset up to which bytes are stored for good: after writes (flushes, when durable)
   * of an unchecksummed body. A checksummed chunk counts only once verified, through the result.
   */
  onProgress?: (offset: number) => void;
  /** The source's chunks are the store's once read (a request body): their memory is freed once written. */
  releaseChunks?: boolean;
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
 * The storage port. Every store (file today, S3 later) passes test/support/store-contract.ts.
 * It throws StoreError (store-errors.ts): UPLOAD_NOT_FOUND, UPLOAD_EXISTS, OFFSET_MISMATCH, CHECKSUM_MISMATCH,
 * INSUFFICIENT_STORAGE, STORAGE_NOT_WRITABLE, STORAGE_FAILED; `offset` says where the data ends when known.
 *
 * Records of uploads that are done (completed and landed, failed, expired) are kept for a retention
 * time and then forgotten; they are read from storage when asked for, never all held in memory.
 */
export interface UploadStore {
  /** Reconciles state left by a crash and forgets records past retention. Call once before serving. */
  init(): Promise<ReconcileReport>;
  /** `durable: false` skips fsync for records a client has not been told about yet. */
  create(info: UploadInfo, options?: WriteOptions): Promise<void>;
  get(id: string): Promise<StoredUpload | undefined>;
  /**
   * Applies `patch` to the newest record. A terminal status (completed, failed, expired) never goes
   * back to a running one: a late status from an older read is ignored, the other fields still apply.
   */
  update(id: string, patch: Partial<Omit<UploadInfo, 'id'>>, options?: WriteOptions): Promise<UploadInfo>;
  append(id: string, source: Readable, options: AppendOptions): Promise<AppendResult>;
  /** Concatenates finished partial uploads into the (empty) data of `id`. */
  concatenate(id: string, partIds: string[]): Promise<number>;
  /**
   * The sha256 (hex) of an upload's `length` bytes if the store hashed them as they arrived, else
   * undefined (read the file instead). Answers once per upload.
   */
  sha256Of?(id: string, length: number): Promise<string | undefined>;
  /**
   * Starts hashing an upload's stored bytes in the background (after a restart), so a later
   * `sha256Of` need not read the file inside a request. Does nothing for uploads it would not track.
   */
  warmSha256?(id: string): void;
  /** A local path holding the upload's bytes, for moving them into the receive folder. */
  dataPath(id: string): string;
  /** Forgets the bytes but keeps the record, with `patch` applied in the same write. */
  releaseData(id: string, patch?: Partial<Omit<UploadInfo, 'id'>>): Promise<void>;
  remove(id: string): Promise<void>;
  /** Every record still kept, finished ones included (read from storage: costly with many). */
  list(): Promise<UploadInfo[]>;
  /** The most recently finished records, newest first, up to `limit`: reads only what it returns, about. */
  listFinished(limit: number): Promise<UploadInfo[]>;
  /** The uploads not done yet (what recovery and expiry look at), from memory. */
  listActive(): Promise<UploadInfo[]>;
  /** Forgets finished records and quarantined data older than the retention time. */
  purge(now?: number): Promise<void>;
  /** Bytes free for new uploads, or Infinity when unknown. */
  freeBytes(): Promise<number>;
  /**
   * Resolves once every record write started so far has finished, the ones no caller waits for too
   * (an append's touch): after it, the store writes nothing more unless asked. Shutdown waits for it.
   */
  settled(): Promise<void>;
}
