// One measured big upload against one server child, verified and cleaned up.
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { locateStored, removeStored, sha256OfFile, type SourceFile } from './files';
import { protocolOf, type ServerStats } from './protocol';
import type { ServerProcess } from './server-process';
import type { Transfer, UploadClient } from './upload-client';

export interface Measurement {
  label: string;
  bytes: number;
  transfer?: Transfer;
  stats?: ServerStats;
  /** How the stored file was checked: full hash or size only. */
  checked?: 'sha256' | 'size';
  error?: string;
}

const execFileAsync = promisify(execFile);

export async function measureUpload(
  server: ServerProcess,
  client: UploadClient,
  source: SourceFile,
  filename: string,
  checkHash: boolean,
): Promise<Measurement> {
  const result: Measurement = { label: server.label, bytes: source.size };
  try {
    await server.mark();
    result.transfer = await client.uploadFile(
      server.endpoint,
      protocolOf(server.kind),
      source.path,
      source.size,
      filename,
    );
    result.stats = await server.stats();
    const [stored] = await locateStored(server.kind, server.dir, [result.transfer]);
    try {
      result.checked = await checkStored(stored, source, checkHash);
    } finally {
      await removeStored(server.kind, [stored]);
    }
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  }
  await settleDisk();
  return result;
}

async function checkStored(
  path: string | undefined,
  source: SourceFile,
  checkHash: boolean,
): Promise<'sha256' | 'size'> {
  if (path === undefined) throw new Error('stored file not found in the receive dir');
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new Error(`stored file missing: ${path}`);
  if (info.size !== source.size) throw new Error(`stored ${info.size} bytes, sent ${source.size}`);
  if (!checkHash) return 'size';
  const digest = await sha256OfFile(path);
  if (digest !== source.sha256) throw new Error(`sha256 of stored file differs from the source`);
  return 'sha256';
}

/**
 * Flush dirty pages between measurements so one server's write-back does not
 * land inside the next server's timing. Best effort: `sync` may not exist.
 */
export async function settleDisk(): Promise<void> {
  if (process.platform === 'win32') return;
  await execFileAsync('sync').catch(() => undefined);
}
