import busboy from 'busboy';
import { unlink } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createDigestWorker, type DigestWorker } from '../../crypto/digest-worker';
import type { FerryError } from '../../errors';
import { multipartError, toMultipartError } from './multipart-errors';
import { runFileJob, type PartStream, type StoredPart } from './multipart-file-job';
import { sendError, sendJson } from './multipart-response';
import type { ReceiveFolder } from '../landing/receive-folder';
import { senderContext } from '../http/sender-context';
import type { MultipartLimits } from '../receiver-config';

export type { StoredPart } from './multipart-file-job';
export type { MultipartLimits };

export interface MultipartProgress {
  register(init: {
    uploadId: string;
    source: 'multipart';
    filename: string;
    length: number | null;
    offset?: number;
    context?: Record<string, unknown>;
  }): void;
  advance(uploadId: string, offset: number): void;
  transition(
    uploadId: string,
    status: 'running' | 'completed' | 'failed',
    detail?: { message?: string; errorCode?: string },
  ): boolean;
}

export interface MultipartHandlerDeps {
  receiveFolder: ReceiveFolder;
  limits: MultipartLimits;
  progress?: MultipartProgress;
  newId: () => string;
  /** Rolling: the request fails when no byte arrives (and none is written) for this long. */
  idleTimeoutMs?: number;
  /** Shared hashing thread; the handler starts its own when none is given. */
  digests?: DigestWorker;
}

export interface MultipartHandler {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

interface FileEntry {
  uploadId: string;
  absolutePath?: string;
  registered: boolean;
  /** Settles once the file is registered with progress (or never will be). */
  opened: Promise<void>;
  done: Promise<StoredPart | null>;
}

function isMultipartFormData(contentType: string | undefined): boolean {
  return typeof contentType === 'string' && /^\s*multipart\/form-data\s*(?:;|$)/i.test(contentType);
}

/** RFC 2046 §5.1.1: `boundary := 0*69<bchars> bcharsnospace`, i.e. 1 to 70 characters. */
function hasUsableBoundary(contentType: string): boolean {
  const match = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2] ?? '';
  return boundary.length >= 1 && boundary.length <= 70;
}

export function createMultipartHandler(deps: MultipartHandlerDeps): MultipartHandler {
  const { receiveFolder, limits, newId } = deps;
  const idleTimeoutMs = deps.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const digests = deps.digests ?? createDigestWorker();

  // Progress is best effort: a hub that throws must never break or leak an upload.
  const progress = {
    register(uploadId: string, filename: string, context: Record<string, unknown>): boolean {
      try {
        deps.progress?.register({ uploadId, source: 'multipart', filename, length: null, context });
        deps.progress?.transition(uploadId, 'running');
        return true;
      } catch {
        return false;
      }
    },
    advance(uploadId: string, offset: number): void {
      try {
        deps.progress?.advance(uploadId, offset);
      } catch {
        /* best effort */
      }
    },
    finish(uploadId: string, status: 'completed' | 'failed', error?: FerryError): void {
      try {
        deps.progress?.transition(uploadId, status, error && { message: error.message, errorCode: error.code });
      } catch {
        /* best effort */
      }
    },
  };

  function createParser(req: IncomingMessage): busboy.Busboy {
    return busboy({
      headers: req.headers,
      preservePath: false,
      // Browsers put raw UTF-8 in `filename="…"`; busboy 1.x would decode it as latin1 by default.
      defParamCharset: 'utf8',
      limits: {
        // busboy flags a file (or field) as over the limit once it REACHES the limit, so a part of
        // exactly the limit would be refused; +1 makes the limit inclusive. We enforce it exactly.
        fileSize: limits.maxFileSize + 1,
        fieldSize: limits.maxFieldSize + 1,
        files: limits.maxFiles,
        fields: limits.maxFields,
        // busboy emits 'partsLimit' when the Nth part ends, even with no part after it; +1 means
        // "a part beyond the limit exists". Our own count below refuses it as soon as it starts.
        parts: limits.maxParts + 1,
        // busboy 1.6's multipart parser ignores this (it caps part headers at 2000 pairs / 16 KiB
        // and answers bigger ones with "Malformed part header"); passed for parsers that honour it.
        headerPairs: limits.maxHeaderPairs,
      },
    });
  }

  /** All or nothing: any failure deletes every file this request created, complete or not. */
  async function cleanUp(files: FileEntry[], error: FerryError): Promise<void> {
    // Wait for each job to stop touching its file before deleting it.
    await Promise.allSettled(files.map((file) => file.done));
    await Promise.all(
      files.map(async (file) => {
        if (file.absolutePath) await unlink(file.absolutePath).catch(() => undefined);
        if (file.registered) progress.finish(file.uploadId, 'failed', error);
      }),
    );
  }

  async function receive(req: IncomingMessage, res: ServerResponse, parser: busboy.Busboy): Promise<void> {
    const files: FileEntry[] = [];
    const streams = new Set<PartStream>();
    const sender = senderContext(req);
    // Kept (bounded by maxFields × maxFieldSize) but not echoed: the 201 body lists files only.
    const fields: Array<{ name: string; value: string }> = [];
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
      for (const stream of streams) stream.destroy(error);
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

    const countPart = (): boolean => {
      parts += 1;
      if (parts <= limits.maxParts) return true;
      fail(multipartError('TOO_MANY_PARTS', `More than ${limits.maxParts} parts in one request`));
      return false;
    };

    parser.on('file', (_field, stream: PartStream, info) => {
      if (failure || !countPart()) {
        stream.resume();
        return;
      }
      streams.add(stream);
      const previous = files.at(-1)?.opened ?? Promise.resolve();
      let markOpened = () => {};
      const entry: FileEntry = {
        uploadId: newId(),
        registered: false,
        opened: new Promise((resolve) => (markOpened = resolve)),
        done: Promise.resolve(null),
      };
      files.push(entry);
      entry.done = runFileJob(
        stream,
        {
          maxFileSize: limits.maxFileSize,
          // HTML: a file input with nothing selected still sends a part, with an empty name and body.
          // busboy reports that `filename=""` as undefined (same as an octet-stream part with no name).
          skipIfEmpty: !info.filename,
          digests,
        },
        {
          // The receive folder sanitizes the name.
          open: () => receiveFolder.open(info.filename ?? ''),
          onOpened: (opened) => {
            entry.absolutePath = opened.absolutePath;
            const name = opened.relativePath.slice(opened.relativePath.lastIndexOf('/') + 1);
            // In the order the files came, even when a later file's name was reserved first.
            void previous.then(() => {
              // `placedPath`: where it landed, relative to the receive folder (no store record keeps it).
              if (!failure)
                entry.registered = progress.register(entry.uploadId, name, {
                  ...sender,
                  placedPath: opened.relativePath,
                });
              markOpened();
            });
          },
          onWritten: (offset) => {
            touch();
            if (entry.registered) progress.advance(entry.uploadId, offset);
          },
        },
      );
      entry.done
        .catch((error: unknown) => fail(toMultipartError(error)))
        .finally(() => {
          streams.delete(stream);
          // A file that never opened (empty, or failed first) must not hold up the ones after it.
          void previous.then(markOpened);
        });
    });

    parser.on('field', (name, value, info) => {
      if (failure || !countPart()) return;
      if (info.valueTruncated || info.nameTruncated) {
        fail(multipartError('FIELD_TOO_LARGE', `A field is larger than the limit of ${limits.maxFieldSize} bytes`));
        return;
      }
      fields.push({ name, value });
    });

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

    await parsed;
    const stored: StoredPart[] = [];
    if (!failure) {
      const results = await Promise.allSettled(files.map((file) => file.done));
      for (const result of results) {
        if (result.status === 'rejected') failure ??= toMultipartError(result.reason);
        else if (result.value) stored.push(result.value);
      }
      if (!failure && stored.length === 0) failure = multipartError('NO_FILES', 'The request contained no files');
    }

    if (failure) {
      await cleanUp(files, failure);
      // A silent or vanished client gets no drain: answer if the socket still allows it, then close.
      const closeNow = failure.code === 'REQUEST_IDLE_TIMEOUT' || failure.code === 'REQUEST_ABORTED';
      sendError(req, res, failure, { closeNow });
      return;
    }
    await Promise.all(files.map((file) => file.opened));
    for (const file of files) if (file.registered) progress.finish(file.uploadId, 'completed');
    sendJson(res, 201, stored);
  }

  return {
    async handle(req, res) {
      const contentType = req.headers['content-type'];
      if (!isMultipartFormData(contentType)) {
        sendError(req, res, multipartError('UNSUPPORTED_MEDIA_TYPE', 'Expected a multipart/form-data body'));
        return;
      }
      const noBoundary = (cause?: unknown): void =>
        sendError(
          req,
          res,
          multipartError(
            'MULTIPART_BOUNDARY_MISSING',
            'multipart/form-data needs a boundary of 1 to 70 characters',
            cause,
          ),
        );
      // RFC 7578 §4.1: multipart/form-data "requires" the boundary parameter.
      if (contentType === undefined || !hasUsableBoundary(contentType)) return noBoundary();
      let parser: busboy.Busboy;
      try {
        parser = createParser(req);
      } catch (cause) {
        // busboy throws on a content type it cannot parse ("Multipart: Boundary not found", ...).
        return noBoundary(cause);
      }
      try {
        await receive(req, res, parser);
      } catch (error) {
        // A bug, not a client problem: answer 500 rather than leave the socket hanging.
        sendError(req, res, multipartError('INTERNAL_ERROR', 'The upload failed unexpectedly', error));
      }
    },
  };
}
