import type busboy from 'busboy';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createDigestPool } from '../../crypto/digest-pool';
import type { DigestWorker } from '../../crypto/digest-worker';
import { createLandingThread, type LandingThread } from './landing-thread';
import { multipartError, toMultipartError } from './multipart-errors';
import { runFileJob, type PartStream } from './multipart-file-job';
import { createParser, hasUsableBoundary, isMultipartFormData } from './multipart-parser';
import { createProgressReporter, type MultipartProgress } from './multipart-progress';
import { discardAll, landAll, type FileEntry, type StoredPart } from './multipart-request-files';
import { sendError, sendJson } from './multipart-response';
import { createStagedFile, multipartStagingDir } from './multipart-staging';
import { watchRequest } from './multipart-request';
import { isBulkRequest } from './bulk-protocol';
import { receiveBulk } from './bulk-receive';
import type { LandedKeys } from './landed-keys';
import type { ReceiveFolder } from '../landing/receive-folder';
import { senderContext } from '../http/sender-context';
import type { MultipartLimits } from '../receiver-config';

export type { StoredPart } from './multipart-request-files';
export type { MultipartProgress } from './multipart-progress';
export type { MultipartLimits };

/** What `/metrics` counts of multipart uploads. */
export interface MultipartCounters {
  created(): void;
  finished(): void;
  bytes(count: number): void;
}

export interface MultipartHandlerDeps {
  /** Files land here; bodies stream into its state folder first (see multipart-staging). */
  receiveFolder: ReceiveFolder;
  limits: MultipartLimits;
  progress?: MultipartProgress;
  counters?: MultipartCounters;
  newId: () => string;
  /** Rolling: the request fails when no byte arrives (and none is written) for this long. */
  idleTimeoutMs?: number;
  /** Shared hashing thread; the handler starts its own when none is given. */
  digests?: DigestWorker;
  /** Where bulk requests' small files are written and landed; the handler starts its own when none is given. */
  landingThread?: LandingThread;
  /**
   * Where bulk requests (bulk-protocol.ts) keep their idempotency keys. Without it the handler takes
   * no bulk requests: a guest's handler has none, so no key can name another sender's files.
   */
  landedKeys?: LandedKeys;
}

export interface MultipartHandler {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const sha256Pattern = /^[0-9a-f]{64}$/i;

export function createMultipartHandler(deps: MultipartHandlerDeps): MultipartHandler {
  const { receiveFolder, limits, newId, counters } = deps;
  const idleTimeoutMs = deps.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const digests = deps.digests ?? createDigestPool();
  const landingThread = deps.landingThread ?? createLandingThread();

  const progress = createProgressReporter(deps.progress);
  const stagingDir = multipartStagingDir(receiveFolder.dir);

  async function receive(req: IncomingMessage, res: ServerResponse, parser: busboy.Busboy): Promise<void> {
    const files: FileEntry[] = [];
    const sender = senderContext(req);
    // Kept (bounded by maxFields × maxFieldSize) but not echoed: the 201 body lists files only.
    const fields: Array<{ name: string; value: string }> = [];
    /** From a `sha256` field: the declared digest of the file part that comes next. */
    let declaredSha256: string | undefined;
    const watch = watchRequest(req, parser, {
      limits,
      idleTimeoutMs,
      atEnd: () =>
        declaredSha256 === undefined
          ? undefined
          : multipartError('INVALID_SHA256', 'A sha256 field must come before the file it declares'),
    });
    const { fail } = watch;

    parser.on('file', (_field, stream: PartStream, info) => {
      if (watch.failure() || !watch.countPart()) {
        stream.resume();
        return;
      }
      watch.track(stream);
      const previous = files.at(-1)?.opened ?? Promise.resolve();
      let markOpened = () => {};
      const entry: FileEntry = {
        uploadId: newId(),
        filename: info.filename ?? '',
        registered: false,
        opened: new Promise((resolve) => (markOpened = resolve)),
        done: Promise.resolve(null),
      };
      const expectedSha256 = declaredSha256;
      declaredSha256 = undefined;
      files.push(entry);
      entry.done = runFileJob(
        stream,
        {
          maxFileSize: limits.maxFileSize,
          // HTML: a file input with nothing selected still sends a part, with an empty name and body.
          // busboy reports that `filename=""` as undefined (same as an octet-stream part with no name).
          // A part with a declared sha256 is never skipped: the sender meant it.
          skipIfEmpty: !info.filename && expectedSha256 === undefined,
          digests,
          durable: receiveFolder.durable,
          expectedSha256,
        },
        {
          // The final name is held now, so progress can show it; the bytes go to the state folder.
          open: async () => {
            entry.claim = await receiveFolder.claim(entry.filename);
            return createStagedFile(stagingDir, randomBytes(12).toString('hex'));
          },
          onOpened: (staged) => {
            entry.stagedPath = staged.path;
            counters?.created();
            const { relativePath } = entry.claim!;
            const name = relativePath.slice(relativePath.lastIndexOf('/') + 1);
            // In the order the files came, even when a later file's name was claimed first.
            void previous.then(() => {
              // `placedPath`: where it will land, relative to the receive folder (no store record keeps it).
              if (!watch.failure())
                entry.registered = progress.register(entry.uploadId, name, { ...sender, placedPath: relativePath });
              markOpened();
            });
          },
          onWritten: (offset) => {
            watch.touch();
            if (entry.registered) progress.advance(entry.uploadId, offset);
          },
        },
      );
      entry.done
        .catch((error: unknown) => fail(toMultipartError(error)))
        .finally(() => {
          watch.untrack(stream);
          // A file that never opened (empty, or failed first) must not hold up the ones after it.
          void previous.then(markOpened);
        });
    });

    parser.on('field', (name, value, info) => {
      if (watch.failure() || !watch.countPart()) return;
      if (info.valueTruncated || info.nameTruncated) {
        fail(multipartError('FIELD_TOO_LARGE', `A field is larger than the limit of ${limits.maxFieldSize} bytes`));
        return;
      }
      if (name === 'sha256') {
        if (declaredSha256 !== undefined || !sha256Pattern.test(value)) {
          fail(
            multipartError('INVALID_SHA256', 'A sha256 field must be 64 hex digits, one before each file it declares'),
          );
          return;
        }
        declaredSha256 = value.toLowerCase();
      }
      fields.push({ name, value });
    });

    await watch.parsed;
    let failure = watch.failure();
    let stored: StoredPart[] = [];
    if (!failure) {
      const results = await Promise.allSettled(files.map((file) => file.done));
      for (const result of results) if (result.status === 'rejected') failure ??= toMultipartError(result.reason);
      const none = results.every((result) => result.status === 'fulfilled' && result.value === null);
      if (!failure && none) failure = multipartError('NO_FILES', 'The request contained no files');
    }
    if (!failure) {
      try {
        // Only now, with the whole body received and checked, does anything appear in the receive folder.
        stored = await landAll(files, receiveFolder);
      } catch (error) {
        failure = toMultipartError(error);
      }
    }

    if (failure) {
      await discardAll(files, failure, progress);
      // A silent or vanished client gets no drain: answer if the socket still allows it, then close.
      const closeNow = failure.code === 'REQUEST_IDLE_TIMEOUT' || failure.code === 'REQUEST_ABORTED';
      sendError(req, res, failure, { closeNow });
      return;
    }
    for (const part of stored) {
      counters?.bytes(part.size);
      counters?.finished();
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
        parser = createParser(req, limits);
      } catch (cause) {
        // busboy throws on a content type it cannot parse ("Multipart: Boundary not found", ...).
        return noBoundary(cause);
      }
      try {
        if (!isBulkRequest(req)) return await receive(req, res, parser);
        if (!deps.landedKeys)
          return sendError(req, res, multipartError('BULK_UNAVAILABLE', 'Bulk uploads are not taken here'));
        await receiveBulk(req, res, parser, {
          receiveFolder,
          limits,
          progress,
          counters,
          newId,
          idleTimeoutMs,
          digests,
          stagingDir,
          keys: deps.landedKeys,
          landingThread,
        });
      } catch (error) {
        // A bug, not a client problem: answer 500 rather than leave the socket hanging.
        sendError(req, res, multipartError('INTERNAL_ERROR', 'The upload failed unexpectedly', error));
      }
    },
  };
}
