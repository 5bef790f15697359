import { randomBytes } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DigestWorker } from '../../crypto/digest-worker';
import type { FerryError } from '../../errors';
import type { ReceiveFolder } from '../landing/receive-folder';
import type { MultipartLimits } from '../receiver-config';
import type { BulkFileResult, BulkPartMeta } from './bulk-protocol';
import type { LandedKeys, LandedRecord } from './landed-keys';
import { multipartError, toMultipartError } from './multipart-errors';
import type { PartStream } from './multipart-file-job';
import type { ProgressReporter } from './multipart-progress';
import type { SyncGroup } from './bulk-sync-group';
import { stageBulkPart } from './bulk-held-part';

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
  /** Makes the request's staged files durable together (bulk-sync-group.ts). */
  syncGroup: SyncGroup;
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
 * One file of a bulk request, from its first byte until it landed or failed: checked against its
 * declared sha256 and staged in the state folder (a small one is checked in memory first,
 * bulk-held-part.ts), then landed by link under the next free name. A failure is this file's
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
  try {
    const part = await stageBulkPart(
      stream,
      meta.sha256,
      {
        stagingDir: deps.stagingDir,
        stagedName,
        maxFileSize: deps.limits.maxFileSize,
        durable: receiveFolder.durable,
        digests: deps.digests,
        syncGroup: deps.syncGroup,
        touch: deps.touch,
      },
      (path) => {
        stagedPath = path;
        counters?.created();
      },
    );
    const land = async (): Promise<SettledFile> => {
      const before = meta.key ? await keys.find(meta.key) : undefined;
      if (before && before.sha256 === part.sha256) {
        await unlink(part.stagedPath).catch(() => undefined);
        stagedPath = undefined;
        // Its folder is synced by this request too, before this answer says it is there.
        const folder = dirname(join(receiveFolder.dir, before.path));
        return { result: landedResult(meta, before, true), folder, show: arrived };
      }
      // The request syncs each folder once, for all its files, before its answer says they landed.
      const placed = await receiveFolder.place(
        part.stagedPath,
        { filename, relativePath: meta.relativePath },
        { deferFolderSync: true, byLink: true },
      );
      stagedPath = undefined;
      const record = { path: placed.relativePath, size: part.size, sha256: part.sha256, at: Date.now() };
      if (meta.key) keys.record(meta.key, record);
      counters?.bytes(part.size);
      counters?.finished();
      return {
        result: landedResult(meta, record, false),
        folder: dirname(placed.absolutePath),
        show: () => {
          show(nameOf(record.path), record.path, part.size);
          arrived();
        },
      };
    };
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
