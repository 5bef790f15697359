import { errnoCode, errorMessage, FerryError, isFerryError } from '../../errors';

/** Every error `POST /upload` can answer with, in one place: code → HTTP status. */
export const multipartErrorStatus = {
  UNSUPPORTED_MEDIA_TYPE: 415,
  MULTIPART_BOUNDARY_MISSING: 415,
  MULTIPART_MALFORMED: 400,
  MULTIPART_TRUNCATED: 400,
  REQUEST_ABORTED: 400,
  NO_FILES: 400,
  INVALID_SHA256: 400,
  // Bulk requests (bulk-protocol.ts): a file part that does not say what it is, a malformed query,
  // and a receiver part that does not take them (a guest's uploads keep to plain multipart).
  INVALID_BULK_PART: 400,
  INVALID_LANDED_QUERY: 400,
  BULK_UNAVAILABLE: 403,
  // As tus answers a checksum mismatch: the file is discarded.
  SHA256_MISMATCH: 460,
  REQUEST_IDLE_TIMEOUT: 408,
  FILE_TOO_LARGE: 413,
  FIELD_TOO_LARGE: 413,
  TOO_MANY_FILES: 413,
  TOO_MANY_FIELDS: 413,
  TOO_MANY_PARTS: 413,
  INSUFFICIENT_STORAGE: 507,
  STORAGE_FAILED: 500,
  INTERNAL_ERROR: 500,
} as const;

export type MultipartErrorCode = keyof typeof multipartErrorStatus;

export function multipartError(code: MultipartErrorCode, message: string, cause?: unknown): FerryError {
  return new FerryError(code, message, { status: multipartErrorStatus[code], cause });
}

/**
 * Maps whatever broke an upload to a FerryError. Errors with a `syscall` come from the file system;
 * plain errors come from busboy or the request stream, i.e. from what the client sent.
 */
export function toMultipartError(error: unknown): FerryError {
  if (isFerryError(error)) return error;
  const code = errnoCode(error);
  if (code !== undefined && typeof (error as { syscall?: unknown }).syscall === 'string') {
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      return multipartError('INSUFFICIENT_STORAGE', 'Not enough free disk space to store the upload', error);
    }
    return multipartError('STORAGE_FAILED', 'The upload could not be written to disk', error);
  }
  if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET') {
    return multipartError('REQUEST_ABORTED', 'The request ended before the upload was complete', error);
  }
  const message = errorMessage(error);
  // busboy's words for a body that stops early: "Unexpected end of form" / "Unexpected end of file".
  if (/unexpected end of/i.test(message)) {
    return multipartError('MULTIPART_TRUNCATED', 'The multipart body is truncated', error);
  }
  if (error instanceof Error && !(error instanceof TypeError) && !(error instanceof RangeError)) {
    return multipartError('MULTIPART_MALFORMED', `The multipart body is malformed: ${message}`, error);
  }
  return multipartError('INTERNAL_ERROR', 'The upload failed unexpectedly', error);
}
