import { randomBytes } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DigestWorker } from '../../crypto/digest-worker';
import type { FerryError } from '../../errors';
import type { PlacedFile, ReceiveFolder } from '../landing/receive-folder';
import type { MultipartLimits } from '../receiver-config';
import type { BulkFileResult, BulkPartMeta } from './bulk-protocol';
import type { LandedKeys, LandedRecord } from './landed-keys';
import { multipartError, toMultipartError } from './multipart-errors';
import type { PartStream } from './multipart-file-job';
import type { ProgressReporter } from './multipart-progress';
import type { SyncGroup } from './bulk-sync-group';
import { holdBulkPart, streamBulkPart } from './bulk-held-part';
import type { LandingGroup } from './bulk-landing-group';

/** What every file of a bulk request shares. */
export interface BulkFileDeps {
  receiveFolder: ReceiveFolder;
  limits: MultipartLimits;
  progress: ProgressReporter;
  counters?: { created(): void; finished(): void; bytes(count: number): void };
  newId: () => string;
  digests: DigestWorker;
  stagingDir: string;
  keys: LandedKeys;
  /** Who sent it, for progress. */
  sender: Record<string, unknown>;
  /** Bytes were written: the request's idle clock starts again. */
  touch(): void;
  /** Makes the request's longer staged files durable together (bulk-sync-group.ts). */
  syncGroup: SyncGroup;
  /** Writes, syncs and links the request's small files together (bulk-landing-group.ts). */
  landing: LandingGroup;
}

const nameOf = (relativePath: string) => relativePath.slice(relativePath.lastIndexOf('/') + 1);

/** Staged names need only be unique among this process's (the folder is swept at start): no random per file. */
const stagedPrefix = `bulk-${process.pid}-${randomBytes(6).toString('hex')}`;
let staged = 0;
const stagedName = () => `${stagedPrefix}-${(staged += 1)}`;

/** A file of the request as it ended, and how it is shown once the request is through. */
export interface SettledFile {
  result: BulkFileResult;
  /** The folder it landed in (absolute), to be fsynced before the answer; none if nothing landed now. */
  folder?: string;
  /**
   * Reports it on the progress hub (landed ones only after their folder is synced), and ends its
   * "arriving" state: a `landed` query for its key waits until then.
   */
  show(): void;
}

function landedResult(meta: BulkPartMeta, record: LandedRecord, already: boolean): BulkFileResult {
  const { path, size, sha256 } = record;
  return {
    ...(meta.key ? { key: meta.key } : {}),
    status: 'landed',
    name: nameOf(path),
    path,
    size,
    sha256,
    ...(already ? { already: true as const } : {}),
  };
}

function failedResult(key: string | undefined, name: string, error: FerryError): BulkFileResult {
  const { code, message } = error;
  return { ...(key ? { key } : {}), status: 'failed', name, error: { code, message, status: error.status ?? 500 } };
}

/**
 * One file of a bulk request, from its first byte until it landed or failed, checked against its
 * declared sha256. A small one is held in memory and checked there (bulk-held-part.ts), then written,
 * synced and linked under the next free name on the landing thread, with the request's other small
 * files; a longer one streams to a staged file and lands by link here. A failure is this file's
 * alone: the rest of its part is read and dropped so the next part goes on.
 * Under a key, landing is exclusive to the key and answered from what landed before. Small files
 * arrive in a moment: they show on the progress hub once they have landed (or failed), not byte by
 * byte, and no name is held for them while they arrive.
 */
export async function receiveBulkFile(
  stream: PartStream,
  filename: string,
  meta: BulkPartMeta,
  deps: BulkFileDeps,
): Promise<SettledFile> {
  const { receiveFolder, progress, counters, keys } = deps;
  const arrived = meta.key ? keys.begin(meta.key) : () => undefined;
  const target = { filename, relativePath: meta.relativePath };
  let stagedPath: string | undefined;
  /** Shown once settled: what landed where, or what failed. */
  const show = (name: string, placedPath: string | undefined, size: number, error?: FerryError) => {
    const uploadId = deps.newId();
    const context = { ...deps.sender, ...(placedPath ? { placedPath } : {}) };
    // A landed file is one event, registered completed: thousands of small files, half the events.
    if (!error)
      return void progress.register(uploadId, name, context, { length: size, offset: size, status: 'completed' });
    if (!progress.register(uploadId, name, context, { length: size, offset: 0 })) return;
    progress.finish(uploadId, 'failed', error);
  };
  const landed = (placed: PlacedFile, size: number, sha256: string): SettledFile => {
    const record = { path: placed.relativePath, size, sha256, at: Date.now() };
    if (meta.key) keys.record(meta.key, record);
    counters?.bytes(size);
    counters?.finished();
    return {
      result: landedResult(meta, record, false),
      folder: dirname(placed.absolutePath),
      show: () => {
        show(nameOf(record.path), record.path, size);
        arrived();
      },
    };
  };
  /** What landed under this key before, if it is these very bytes: then nothing is written again. */
  const landedBefore = async (sha256: string): Promise<SettledFile | undefined> => {
    const before = meta.key ? await keys.find(meta.key) : undefined;
    if (!before || before.sha256 !== sha256) return undefined;
    // Its folder is synced by this request too, before this answer says it is there.
    const folder = dirname(join(receiveFolder.dir, before.path));
    return { result: landedResult(meta, before, true), folder, show: arrived };
  };
  /** A staged, durable file to its name, by link; the request syncs each folder once before its answer. */
  const place = async (from: string) => {
    stagedPath = from;
    const placed = await receiveFolder.place(from, target, { deferFolderSync: true, byLink: true });
    stagedPath = undefined;
    return placed;
  };

  try {
    const part = await holdBulkPart(stream, meta.sha256, deps.limits.maxFileSize);
    let land: () => Promise<SettledFile>;
    if (part.whole) {
      land = async () => {
        const before = await landedBefore(part.sha256);
        if (before) return before;
        const linkTo = await receiveFolder.linkTarget(target);
        const staged = join(deps.stagingDir, `${stagedName()}.part`);
        counters?.created();
        const outcome = await deps.landing
          .land({ stagedPath: staged, chunks: part.chunks, size: part.size, linkTo: linkTo?.absolutePath })
          .catch((error: unknown) => {
            throw multipartError('STORAGE_FAILED', 'The upload could not be written to disk', error);
          });
        if ('error' in outcome) throw outcome.error;
        deps.touch();
        const placed = 'linked' in outcome ? linkTo! : await place(staged);
        return landed(placed, part.size, part.sha256);
      };
    } else {
      const staging = {
        stagingDir: deps.stagingDir,
        stagedName,
        maxFileSize: deps.limits.maxFileSize,
        durable: receiveFolder.durable,
        digests: deps.digests,
        syncGroup: deps.syncGroup,
        touch: deps.touch,
      };
      const streamed = await streamBulkPart(stream, part, meta.sha256, staging, (path) => {
        stagedPath = path;
        counters?.created();
      });
      land = async () => {
        const before = await landedBefore(streamed.sha256);
        if (before) {
          await unlink(streamed.stagedPath).catch(() => undefined);
          stagedPath = undefined;
          return before;
        }
        return landed(await place(streamed.stagedPath), streamed.size, streamed.sha256);
      };
    }
    return meta.key ? await keys.exclusive(meta.key, land) : await land();
  } catch (caught) {
    const error = toMultipartError(caught);
    if (stagedPath) await unlink(stagedPath).catch(() => undefined);
    return {
      result: failedResult(meta.key, filename, error),
      show: () => {
        show(filename, undefined, 0, error);
        arrived();
      },
    };
  }
}

/** A part that cannot be taken (no usable declaration): read and dropped, answered as failed. */
export function refusePart(stream: PartStream, filename: string, reason: string): SettledFile {
  stream.resume();
  return {
    result: failedResult(undefined, filename, multipartError('INVALID_BULK_PART', reason)),
    show: () => undefined,
  };
}
