import { open } from 'node:fs/promises';

const fileBatchBytes = 4 * 1024 * 1024;

/** What reading a file into a digest needs of a session (digest-worker.ts's `DigestSession`). */
interface FedSession {
  updateShared(piece: Uint8Array): Promise<void>;
  finish(): Promise<Buffer>;
  drop(): void;
}

/**
 * Feeds `range` of a file into `session`; resolves with the bytes fed. Two shared buffers in turn:
 * the disk fills one while the session hashes the other in place (on its thread, or at once when it
 * hashes inline), and reading waits for hashing, so a fast disk cannot pile copies up.
 */
export async function feedFile(
  session: FedSession,
  path: string,
  range: { start: number; length: number },
  signal?: AbortSignal,
): Promise<number> {
  const buffers = [
    Buffer.from(new SharedArrayBuffer(fileBatchBytes)),
    Buffer.from(new SharedArrayBuffer(fileBatchBytes)),
  ];
  const hashing: Promise<void>[] = [];
  const handle = await open(path, 'r');
  let fed = 0;
  try {
    for (let turn = 0, left = range.length; left > 0; turn++) {
      signal?.throwIfAborted();
      const buffer = buffers[turn % 2]!;
      await hashing[turn % 2];
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, left), range.start + fed);
      if (bytesRead === 0) break;
      left -= bytesRead;
      fed += bytesRead;
      hashing[turn % 2] = session.updateShared(buffer.subarray(0, bytesRead));
    }
  } finally {
    // Every shared piece is hashed before its buffer can go: no piece may be read after this returns.
    await Promise.all(hashing);
    await handle.close();
  }
  return fed;
}

/** The digest of a file's first `length` bytes (all of it by default), through a new session. */
export async function digestFile(
  session: FedSession,
  path: string,
  signal?: AbortSignal,
  length = Infinity,
): Promise<Buffer> {
  try {
    await feedFile(session, path, { start: 0, length }, signal);
  } catch (error) {
    session.drop();
    throw error;
  }
  return session.finish();
}
