import type busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import type { FerryError } from '../../errors';
import type { MultipartLimits } from '../receiver-config';
import { multipartError, toMultipartError } from './multipart-errors';
import type { PartStream } from './multipart-file-job';

/**
 * One multipart request as it arrives: the idle clock, the limits busboy reports, a cut connection.
 * What the request is for (plain files, a bulk of files) listens to the parser's 'file' and 'field'.
 */
export interface RequestWatch {
  /** Settles once the body is fully parsed, or the request failed. */
  readonly parsed: Promise<void>;
  /** Why the request failed; undefined while it has not. */
  failure(): FerryError | undefined;
  /** Fails the request (first failure wins): the parser and every part stream stop. */
  fail(error: FerryError): void;
  /** Bytes arrived or were written: the idle clock starts again. */
  touch(): void;
  /** A part started; false (and the request fails) once there are more than `maxParts`. */
  countPart(): boolean;
  /** Part streams are destroyed when the request fails, so their jobs stop. */
  track(stream: PartStream): void;
  untrack(stream: PartStream): void;
}

export interface WatchOptions {
  limits: MultipartLimits;
  /** Rolling: the request fails when no byte arrives (and none is written) for this long. */
  idleTimeoutMs: number;
  /** Asked when the body is fully parsed: an error there fails the request. */
  atEnd?: () => FerryError | undefined;
  /**
   * On failure, leave the parts that have arrived whole to finish (a bulk request lands each file on
   * its own); the part still arriving is stopped by the parser either way.
   */
  keepWholeParts?: boolean;
}

export function watchRequest(req: IncomingMessage, parser: busboy.Busboy, options: WatchOptions): RequestWatch {
  const { limits, idleTimeoutMs } = options;
  const streams = new Set<PartStream>();
  let parts = 0;
  let failure: FerryError | undefined;
  let settled = false;
  let settle!: () => void;
  const parsed = new Promise<void>((resolve) => {
    settle = resolve;
  });

  const fail = (error: FerryError): void => {
    if (failure || settled) return;
    failure = error;
    clearTimeout(idle);
    req.unpipe(parser);
    // Destroying the parser and every part stream makes each file job stop and close its handle.
    parser.destroy();
    if (!options.keepWholeParts) for (const stream of streams) stream.destroy(error);
    settle();
  };

  // A rolling deadline, not a whole-request timeout: slow but steady uploads may take hours.
  const idle = setTimeout(() => {
    fail(multipartError('REQUEST_IDLE_TIMEOUT', `No data received for ${idleTimeoutMs} ms`));
  }, idleTimeoutMs);
  const touch = (): void => {
    // refresh() would re-arm a cleared timer, so never after the outcome is known.
    if (!failure && !settled) idle.refresh();
  };

  parser.on('filesLimit', () =>
    fail(multipartError('TOO_MANY_FILES', `More than ${limits.maxFiles} files in one request`)),
  );
  parser.on('fieldsLimit', () =>
    fail(multipartError('TOO_MANY_FIELDS', `More than ${limits.maxFields} fields in one request`)),
  );
  parser.on('partsLimit', () =>
    fail(multipartError('TOO_MANY_PARTS', `More than ${limits.maxParts} parts in one request`)),
  );
  parser.on('error', (error: unknown) => fail(toMultipartError(error)));
  parser.on('close', () => {
    if (failure) return;
    const late = options.atEnd?.();
    if (late) return fail(late);
    // The body is fully parsed; what is left (fsync, close) is ours, so the idle clock stops.
    clearTimeout(idle);
    settled = true;
    settle();
  });

  const aborted = (cause?: unknown): void =>
    fail(multipartError('REQUEST_ABORTED', 'The request ended before the upload was complete', cause));
  req.on('data', touch);
  req.on('aborted', () => aborted());
  req.on('error', aborted);
  // Node sets `complete` once the whole message is received; a close before that is a cut connection.
  req.on('close', () => {
    if (!req.complete) aborted();
  });
  req.pipe(parser);

  return {
    parsed,
    failure: () => failure,
    fail,
    touch,
    countPart() {
      parts += 1;
      if (parts <= limits.maxParts) return true;
      fail(multipartError('TOO_MANY_PARTS', `More than ${limits.maxParts} parts in one request`));
      return false;
    },
    track: (stream) => void streams.add(stream),
    untrack: (stream) => void streams.delete(stream),
  };
}
