import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory } from '../../fs/atomic-file';
import type { StoreFs } from './store-fs';
import { sizeOf } from './store-layout';
import type { ChecksumAlgorithm, ChunkChecksum } from './types';

/**
 * The rollback marker `<id>.pending` guards a checksummed chunk: "bytes from `start` on are not
 * verified yet". Its content and its name reach the disk before the chunk's first byte does, so a
 * marker that cannot be read (empty or torn by a power cut) was still being written when the power
 * went, before any byte of its chunk: it means "nothing to roll back", never "roll back to 0".
 *
 * It also names the chunk (length and checksum), so a marker that comes back after a power cut
 * although its chunk was verified (its removal is not fsynced) is checked again instead of undoing an
 * acknowledged chunk.
 */
export interface RollbackMarker {
  start: number;
  /** The chunk's declared length, when the request declared one. */
  length?: number;
  checksum: ChunkChecksum;
}

const markerPattern = /^ferry-rollback 1 (\d{1,16}) (\d{1,16}|-) (sha1|sha256|md5) ([A-Za-z0-9+/]+={0,2})\n$/;

export function formatMarker(marker: RollbackMarker): string {
  const { start, length, checksum } = marker;
  return `ferry-rollback 1 ${start} ${length ?? '-'} ${checksum.algorithm} ${checksum.digest.toString('base64')}\n`;
}

/** Strict: anything but one whole marker line is unreadable (undefined). */
export function parseMarker(text: string): RollbackMarker | undefined {
  const match = markerPattern.exec(text);
  if (!match) return undefined;
  const start = Number(match[1]);
  const length = match[2] === '-' ? undefined : Number(match[2]);
  if (!Number.isSafeInteger(start) || (length !== undefined && !Number.isSafeInteger(length))) return undefined;
  const algorithm = match[3] as ChecksumAlgorithm;
  return {
    start,
    ...(length === undefined ? {} : { length }),
    checksum: { algorithm, digest: Buffer.from(match[4]!, 'base64') },
  };
}

/** Writes the marker and, when durable, makes its content and its name survive a power cut. */
export async function writeMarker(path: string, marker: RollbackMarker, fs: StoreFs, durable: boolean): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(formatMarker(marker));
    if (durable) await fs.datasync(handle, path);
  } finally {
    await handle.close();
  }
  if (durable) await syncDirectory(dirname(path));
}

async function digestRange(path: string, algorithm: ChecksumAlgorithm, start: number, length: number): Promise<Buffer> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path, { start, end: start + length - 1 })) hash.update(chunk as Buffer);
  return hash.digest();
}

/**
 * At startup, for a marker left beside `dataPath`: cuts unverified bytes off, keeps a chunk whose
 * bytes match the marker's checksum, and leaves everything as it is when the marker is unreadable.
 */
export async function applyMarkerAtStartup(
  dataPath: string,
  text: string,
): Promise<'kept' | 'rolled-back' | 'unreadable'> {
  const marker = parseMarker(text);
  if (!marker) return 'unreadable';
  const size = await sizeOf(dataPath);
  if (size === undefined || size <= marker.start) return 'kept';
  const { start, length, checksum } = marker;
  if (
    length !== undefined &&
    size >= start + length &&
    (await digestRange(dataPath, checksum.algorithm, start, length)).equals(checksum.digest)
  )
    return 'kept';
  await truncate(dataPath, start);
  return 'rolled-back';
}
