import { createHash, type Hash } from 'node:crypto';
import type { DigestWorker } from '../../crypto/digest-worker';
import type { SyncGroup } from './bulk-sync-group';
import { multipartError } from './multipart-errors';
import { runFileJob, type PartStream, type StagedPart } from './multipart-file-job';
import { createStagedFile, fileToSync } from './multipart-staging';

/**
 * The most of a bulk part held in memory: the largest file a sender puts in a bulk request (its bulk
 * file limit). A part that goes on past it is streamed to disk as any big file, so memory stays bounded.
 */
export const heldPartBytes = 256 * 1024;
/** A part that trickles in, in many tiny pieces, streams on once it is this many: each piece held costs an object. */
const maxHeldChunks = 1024;

/** What arrived of a part while it was held. */
export interface HeldPart {
  chunks: Buffer[];
  size: number;
  /** Over every held chunk. */
  hash: Hash;
  /** The part ended within `heldPartBytes`; otherwise it goes on, and its stream is paused. */
  whole: boolean;
}

const tooLarge = (maxFileSize: number) =>
  multipartError('FILE_TOO_LARGE', `A file is larger than the limit of ${maxFileSize} bytes`);

const prematureClose = () =>
  Object.assign(new Error('The part ended before its last byte'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });

/**
 * Holds a part in memory, hashing it as it arrives, until it ends or passes `heldPartBytes`. A part
 * over `maxFileSize` fails here, the rest of it read and dropped so the next part goes on.
 */
function holdPart(stream: PartStream, maxFileSize: number): Promise<HeldPart> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const hash = createHash('sha256');
    let size = 0;
    const stop = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    function onData(chunk: Buffer) {
      if (chunk.length === 0) return;
      if (size + chunk.length > maxFileSize) {
        stop();
        // Flowing with no listener: the rest of the part is dropped as it arrives.
        stream.resume();
        return reject(tooLarge(maxFileSize));
      }
      hash.update(chunk);
      chunks.push(chunk);
      size += chunk.length;
      if (size <= heldPartBytes && chunks.length < maxHeldChunks) return;
      stream.pause();
      stop();
      resolve({ chunks, size, hash, whole: false });
    }
    function onEnd() {
      stop();
      if (stream.truncated) return reject(tooLarge(maxFileSize));
      resolve({ chunks, size, hash, whole: true });
    }
    function onError(error: unknown) {
      stop();
      reject(error);
    }
    // Destroyed with no error (the request failed): it will never end.
    function onClose() {
      stop();
      reject(prematureClose());
    }
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.once('close', onClose);
  });
}

/** A bulk part that arrived whole within `heldPartBytes`, and matches its declared sha256. */
export interface WholePart {
  whole: true;
  chunks: Buffer[];
  size: number;
  /** Lowercase hex. */
  sha256: string;
}

/** The start of a longer part, its stream paused: it goes on to disk (`streamBulkPart`). */
export interface StartedPart {
  whole: false;
  held: HeldPart;
}

/**
 * Holds a bulk part in memory until it ends or passes `heldPartBytes`. A whole one is checked
 * against its declared sha256 before any disk call, so one that does not match never touches the disk.
 */
export async function holdBulkPart(
  stream: PartStream,
  expectedSha256: string,
  maxFileSize: number,
): Promise<WholePart | StartedPart> {
  const held = await holdPart(stream, maxFileSize);
  if (!held.whole) return { whole: false, held };
  const sha256 = held.hash.digest('hex');
  if (sha256 !== expectedSha256)
    throw multipartError('SHA256_MISMATCH', 'The received bytes do not match the sha256 the sender declared');
  return { whole: true, chunks: held.chunks, size: held.size, sha256 };
}

/** What every longer part of a bulk request shares to be staged. */
export interface BulkStaging {
  stagingDir: string;
  /** A fresh name for a staged file. */
  stagedName(): string;
  maxFileSize: number;
  durable: boolean;
  digests: DigestWorker;
  syncGroup: SyncGroup;
  /** Bytes were written: the request's idle clock starts again. */
  touch(): void;
}

/**
 * The rest of a longer bulk part, streamed to a staged file as a big file is, checked against its
 * declared sha256 and synced in the request's group. `onStaged` is told of the staged file as soon
 * as it exists: removing it on failure is the caller's.
 */
export async function streamBulkPart(
  stream: PartStream,
  started: StartedPart,
  expectedSha256: string,
  staging: BulkStaging,
  onStaged: (path: string) => void,
): Promise<StagedPart> {
  return (await runFileJob(
    stream,
    {
      maxFileSize: staging.maxFileSize,
      skipIfEmpty: false,
      digests: staging.digests,
      held: { chunks: started.held.chunks, hash: started.held.hash },
      durable: staging.durable,
      expectedSha256,
      drainOnFailure: true,
      // Not fsynced one by one: the request syncs its files together, and none lands before its own.
      settle: (file) => staging.syncGroup.settle(fileToSync(file)),
    },
    {
      open: () => createStagedFile(staging.stagingDir, staging.stagedName()),
      onOpened: (file) => onStaged(file.path),
      onWritten: staging.touch,
    },
  ))!;
}
