import type { MessageKey } from '../i18n/en';

type Reason =
  | 'sourceChanged'
  | 'sourceMissing'
  | 'sourceUnreadable'
  | 'hostNotFound'
  | 'refused'
  | 'connectionLost'
  | 'timeout'
  | 'stalled'
  | 'tooLarge'
  | 'diskFull'
  | 'storage'
  | 'unauthorized'
  | 'checksum'
  | 'gone'
  | 'growingUnsupported'
  | 'protocol'
  | 'server'
  | 'rejected'
  | 'unknown';

/** Error codes from the pool, the tus client (`HTTP_<status>` or the receiver's `X-Ferry-Error`) and Node. */
const byCode: Readonly<Record<string, Reason>> = {
  SOURCE_CHANGED: 'sourceChanged',
  LENGTH_CHANGED: 'sourceChanged',
  ENOENT: 'sourceMissing',
  SOURCE_MISSING: 'sourceMissing',
  EISDIR: 'sourceMissing',
  EACCES: 'sourceUnreadable',
  EPERM: 'sourceUnreadable',
  HOST_NOT_FOUND: 'hostNotFound',
  ENOTFOUND: 'hostNotFound',
  ECONNREFUSED: 'refused',
  ECONNRESET: 'connectionLost',
  EPIPE: 'connectionLost',
  ENETUNREACH: 'connectionLost',
  EHOSTUNREACH: 'connectionLost',
  EAI_AGAIN: 'connectionLost',
  ERR_STREAM_PREMATURE_CLOSE: 'connectionLost',
  ERR_UPLOAD_INTERRUPTED: 'connectionLost',
  ETIMEDOUT: 'timeout',
  REQUEST_IDLE_TIMEOUT: 'timeout',
  STALLED: 'stalled',
  FILE_TOO_LARGE: 'tooLarge',
  UPLOAD_TOO_LARGE: 'tooLarge',
  HTTP_413: 'tooLarge',
  INSUFFICIENT_STORAGE: 'diskFull',
  HTTP_507: 'diskFull',
  ENOSPC: 'diskFull',
  EDQUOT: 'diskFull',
  STORAGE_FAILED: 'storage',
  STORAGE_NOT_WRITABLE: 'storage',
  UNAUTHORIZED: 'unauthorized',
  HTTP_401: 'unauthorized',
  HTTP_403: 'unauthorized',
  CHECKSUM_MISMATCH: 'checksum',
  HTTP_460: 'checksum',
  UPLOAD_NOT_FOUND: 'gone',
  UPLOAD_EXPIRED: 'gone',
  HTTP_404: 'gone',
  HTTP_410: 'gone',
  DEFER_LENGTH_UNSUPPORTED: 'growingUnsupported',
  NO_LOCATION: 'protocol',
  BAD_OFFSET: 'protocol',
  OFFSET_MISMATCH: 'protocol',
  INVALID_OFFSET: 'protocol',
  HTTP_409: 'protocol',
};

export interface FailureText {
  readonly reason: MessageKey;
  readonly advice: MessageKey;
  /** For `reason.unknown`: the message as the engine or server gave it. */
  readonly message: string;
}

/** A reason in plain words and what to do about it; unknown codes fall back to the error's message. */
export function failureTextOf(error: { code: string; message: string } | undefined): FailureText {
  const code = error?.code ?? '';
  let reason: Reason | undefined = byCode[code];
  if (!reason && /^HTTP_5\d\d$/.test(code)) reason = 'server';
  if (!reason && /^HTTP_4\d\d$/.test(code)) reason = 'rejected';
  if (!reason) reason = 'unknown';
  return {
    reason: `reason.${reason}`,
    advice: `advice.${reason}`,
    message: (error?.message || code || '—').replace(/[.。]\s*$/, ''),
  };
}
