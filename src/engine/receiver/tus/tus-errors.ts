import { FerryError } from '../../errors';
import { StoreError, type StoreErrorCode } from '../store/store-errors';

/**
 * Every tus error status a handler can return comes from this one table.
 * Codes are stable; messages are for people.
 */
export const tusErrors = {
  UNSUPPORTED_VERSION: { status: 412, message: 'Tus-Resumable must be 1.0.0' },
  INVALID_LENGTH: { status: 400, message: 'Upload-Length must be a non-negative integer' },
  MISSING_LENGTH: { status: 400, message: 'Upload-Length or Upload-Defer-Length: 1 is required' },
  LENGTH_AND_DEFER: { status: 400, message: 'Upload-Length and Upload-Defer-Length cannot both be sent' },
  INVALID_DEFER_LENGTH: { status: 400, message: 'Upload-Defer-Length must be 1' },
  LENGTH_ALREADY_SET: { status: 400, message: 'Upload-Length cannot change once set' },
  LENGTH_BELOW_OFFSET: { status: 400, message: 'Upload-Length is smaller than the stored offset' },
  INVALID_OFFSET: { status: 400, message: 'Upload-Offset must be a non-negative integer' },
  MISSING_OFFSET: { status: 400, message: 'Upload-Offset is required' },
  INVALID_METADATA: { status: 400, message: 'Upload-Metadata is malformed' },
  INVALID_CONCAT: { status: 400, message: 'Upload-Concat is malformed' },
  PARTIAL_NOT_FOUND: { status: 404, message: 'A partial upload named in Upload-Concat does not exist' },
  PARTIAL_NOT_COMPLETE: { status: 400, message: 'Every partial upload must be complete before concatenation' },
  INVALID_CHECKSUM_HEADER: { status: 400, message: 'Upload-Checksum must be "<algorithm> <base64 digest>"' },
  UNSUPPORTED_CHECKSUM: { status: 400, message: 'Upload-Checksum names an unsupported algorithm' },
  CHECKSUM_MISMATCH: { status: 460, message: 'Checksum mismatch: the chunk was discarded' },
  SHA256_MISMATCH: { status: 460, message: 'The finished upload does not match its sha256 metadata; it was discarded' },
  UPLOAD_FAILED: { status: 410, message: 'The upload failed verification and is gone; start a new one' },
  ERR_UPLOAD_INTERRUPTED: { status: 400, message: 'Another request took over this upload' },
  UPLOAD_NOT_FOUND: { status: 404, message: 'Upload not found' },
  UPLOAD_EXPIRED: { status: 410, message: 'Upload expired' },
  RECEIVED_FILE_GONE: { status: 410, message: 'The received file is no longer in the receive folder; upload it again' },
  OFFSET_MISMATCH: { status: 409, message: 'Upload-Offset does not match the stored offset' },
  FINAL_UPLOAD_PATCH: { status: 403, message: 'A final concatenated upload cannot be patched' },
  INVALID_CONTENT_TYPE: { status: 415, message: 'Content-Type must be application/offset+octet-stream' },
  UPLOAD_TOO_LARGE: { status: 413, message: 'Upload-Length exceeds the maximum size' },
  BODY_EXCEEDS_LENGTH: { status: 413, message: 'The body would exceed Upload-Length' },
  INSUFFICIENT_STORAGE: { status: 507, message: 'Not enough free disk space' },
  UPLOAD_LOCKED: { status: 423, message: 'The upload is busy; retry shortly' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },
  STORAGE_FAILED: { status: 500, message: 'Storage failed' },
  STORAGE_NOT_WRITABLE: { status: 500, message: 'The receive folder is not writable (read-only or no permission)' },
  SERVER_SHUTTING_DOWN: { status: 503, message: 'The receiver is shutting down; data so far is saved, resume shortly' },
} as const satisfies Record<string, { status: number; message: string }>;

export type TusErrorCode = keyof typeof tusErrors;

export class TusError extends FerryError {
  constructor(
    code: TusErrorCode,
    options: { message?: string; cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(code, options.message ?? tusErrors[code].message, { status: tusErrors[code].status, cause: options.cause });
    this.name = 'TusError';
    this.headers = options.headers ?? {};
  }

  readonly headers: Record<string, string>;
}

/**
 * What the store refuses or fails with, as tus answers: the one place store errors meet HTTP. An offset
 * the store kept goes out as `Upload-Offset`, so the client resumes from there.
 */
const storeAnswers = {
  UPLOAD_NOT_FOUND: 'UPLOAD_NOT_FOUND',
  OFFSET_MISMATCH: 'OFFSET_MISMATCH',
  CHECKSUM_MISMATCH: 'CHECKSUM_MISMATCH',
  INSUFFICIENT_STORAGE: 'INSUFFICIENT_STORAGE',
  STORAGE_NOT_WRITABLE: 'STORAGE_NOT_WRITABLE',
  STORAGE_FAILED: 'STORAGE_FAILED',
  // Ids are random, or keyed and looked up first: a clash is a bug, answered as one (500 INTERNAL_ERROR).
  UPLOAD_EXISTS: undefined,
} as const satisfies Record<StoreErrorCode, TusErrorCode | undefined>;

/** A store error as the TusError it answers with; anything else as it is. */
export function tusErrorOf(error: unknown): unknown {
  if (!(error instanceof StoreError)) return error;
  const code = storeAnswers[error.code];
  if (code === undefined) return error;
  const headers: Record<string, string> = error.offset === undefined ? {} : { 'Upload-Offset': String(error.offset) };
  return new TusError(code, { headers, cause: error });
}
