import { FerryError } from '../errors';

/** An HTTP answer the sender did not expect, with what is needed to decide on a retry. */
export class TusRequestError extends FerryError {
  constructor(
    code: string,
    message: string,
    readonly httpStatus: number | undefined,
    readonly retryAfterMs: number | undefined,
    options: { cause?: unknown; serverOffset?: number; location?: string } = {},
  ) {
    super(code, message, { status: httpStatus, cause: options.cause });
    this.name = 'TusRequestError';
    this.serverOffset = options.serverOffset;
    this.location = options.location;
  }

  readonly serverOffset: number | undefined;
  /** An upload the failed request still created (a creation whose body was refused), resolved to a URL. */
  readonly location: string | undefined;
}

/** No bytes were acknowledged for the stall timeout: the request was aborted and will resume with HEAD. */
export class StallError extends FerryError {
  constructor(timeoutMs: number) {
    super('STALLED', `No progress for ${Math.round(timeoutMs / 1000)} s`);
  }
}

export class SourceChangedError extends FerryError {
  constructor(path: string) {
    super('SOURCE_CHANGED', `${path} changed while it was being sent`);
  }
}

/** The target's host name does not resolve, and never has: most often a typo in the address. */
export class HostNotFoundError extends FerryError {
  constructor(host: string, cause?: unknown) {
    super('HOST_NOT_FOUND', `The host "${host}" was not found: check the address`, { cause });
  }
}
