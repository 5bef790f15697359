import { unlink } from 'node:fs/promises';
import type { FerryError } from '../../errors';
import type { ClaimedName, PlacedFile, ReceiveFolder } from '../landing/receive-folder';
import type { StagedPart } from './multipart-file-job';
import type { ProgressReporter } from './multipart-progress';

/** What the 201 lists for each file. */
export interface StoredPart {
  /** The stored display name (sanitized, with any collision suffix). */
  name: string;
  size: number;
  sha256: string;
  /** Relative to the receive folder, with `/`. */
  path: string;
}

/** One file part of a request, from its first byte to where it landed. */
export interface FileEntry {
  uploadId: string;
  /** As the client sent it; the receive folder sanitizes it. */
  filename: string;
  /** The final name, held from the first byte on (progress shows it) while nothing exists under it. */
  claim?: ClaimedName;
  stagedPath?: string;
  landed?: PlacedFile;
  registered: boolean;
  /** Settles once the file is registered with progress (or never will be). */
  opened: Promise<void>;
  done: Promise<StagedPart | null>;
}

/**
 * Once the whole request has arrived, its files land in order, each by rename through the receive
 * folder's `place` (the tus path's too: fsync of the folder when durable). Each takes the name it
 * claimed, unless something outside this receiver took that name meanwhile: then it gets the next free
 * one, and the 201 says which.
 */
export async function landAll(files: FileEntry[], receiveFolder: ReceiveFolder): Promise<StoredPart[]> {
  const stored: StoredPart[] = [];
  for (const file of files) {
    const part = await file.done;
    if (!part) continue;
    // Staged bodies are swept at startup, so landing by link leaves nothing behind after a crash.
    file.landed = await receiveFolder.place(part.stagedPath, file.claim ?? { filename: file.filename }, {
      byLink: true,
    });
    const { relativePath } = file.landed;
    const name = relativePath.slice(relativePath.lastIndexOf('/') + 1);
    stored.push({ name, size: part.size, sha256: part.sha256, path: relativePath });
  }
  return stored;
}

/** All or nothing: any failure deletes every file the request created, staged or landed, and frees its name. */
export async function discardAll(files: FileEntry[], error: FerryError, progress: ProgressReporter): Promise<void> {
  // Wait for each job to stop touching its file before deleting it.
  await Promise.allSettled(files.map((file) => file.done));
  await Promise.all(
    files.map(async (file) => {
      if (file.stagedPath) await unlink(file.stagedPath).catch(() => undefined);
      if (file.landed) await unlink(file.landed.absolutePath).catch(() => undefined);
      file.claim?.release();
      if (file.registered) progress.finish(file.uploadId, 'failed', error);
    }),
  );
}
