import { stat, type FileHandle } from 'node:fs/promises';
import { SourceChangedError } from './sender-errors';

export interface SourceIdentity {
  path: string;
  size: number;
  mtimeMs: number;
  /** Still being written: growing is expected, so only shrinking counts as a change. */
  growing?: boolean;
}

const unchanged = (info: { size: number; mtimeMs: number }, source: SourceIdentity) =>
  source.growing
    ? info.size >= source.size
    : info.size === source.size && Math.trunc(info.mtimeMs) === Math.trunc(source.mtimeMs);

/**
 * The open file and the file at the path must both still be the one queued: an in-place write shows
 * on the handle, a save-by-rename (most editors) only at the path, where the handle keeps the old inode.
 */
async function checkSource(handle: FileHandle, source: SourceIdentity): Promise<void> {
  const [own, atPath] = await Promise.all([handle.stat(), stat(source.path).catch(() => undefined)]);
  if (!unchanged(own, source) || !atPath || !unchanged(atPath, source)) throw new SourceChangedError(source.path);
}

/**
 * Reads [start, end) of the source, checking that the file is still the one queued (unless `check` is
 * false: the caller checks a later read, before the bytes read here can be acknowledged). With `into`,
 * the bytes go into that (reused) buffer instead of a fresh one.
 */
export async function readChunk(
  handle: FileHandle,
  source: SourceIdentity,
  start: number,
  end: number,
  into?: Buffer,
  check = true,
): Promise<Buffer> {
  const buffer = into ? into.subarray(0, end - start) : Buffer.allocUnsafe(end - start);
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, start + filled);
    if (bytesRead === 0) throw new SourceChangedError(source.path);
    filled += bytesRead;
  }
  // After reading, not before: any write up to now (before or during the read) shows in size or mtime.
  if (check) await checkSource(handle, source);
  return buffer;
}
