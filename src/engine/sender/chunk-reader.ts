import { webcrypto } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { SourceChangedError } from './sender-errors';

export interface SourceIdentity {
  path: string;
  size: number;
  mtimeMs: number;
}

/** Reads [start, end) of the source, checking first that the file is still the one queued. */
export async function readChunk(handle: FileHandle, source: SourceIdentity, start: number, end: number): Promise<Buffer> {
  const info = await handle.stat();
  if (info.size !== source.size || Math.trunc(info.mtimeMs) !== Math.trunc(source.mtimeMs)) throw new SourceChangedError(source.path);
  const buffer = Buffer.allocUnsafe(end - start);
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, start + filled);
    if (bytesRead === 0) throw new SourceChangedError(source.path);
    filled += bytesRead;
  }
  return buffer;
}

/** tus checksum header value; WebCrypto hashes on the thread pool, off the event loop. */
export async function checksumHeader(buffer: Buffer): Promise<string> {
  const digest = await webcrypto.subtle.digest('SHA-256', buffer);
  return `sha256 ${Buffer.from(digest).toString('base64')}`;
}
