import { createReadStream } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, stat, statfs, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createDigestWorker, type DigestWorker } from '../../crypto/digest-worker';
import { FerryError } from '../../errors';
import { TusError } from '../tus/tus-errors';
import { syncDirectory, writeFileAtomic } from '../../fs/atomic-file';
import type { AppendOptions, AppendResult, ReconcileReport, StoredUpload, UploadInfo, UploadStore } from './types';
import { createRunningDigests } from './running-digests';
import { pumpToFile } from './write-pump';

export interface FileStoreOptions {
  /** Folder for data and info files. */
  dir: string;
  /** fsync data before an offset is acknowledged, and info files on every write. */
  durable?: boolean;
  /** Bytes kept free on the disk: creation refuses to eat into them. */
  reserveBytes?: number;
  /** Shared hashing thread; the store starts its own when none is given. */
  digests?: DigestWorker;
}

/** Raised when the disk fills mid-write; `offset` is what was saved. */
export class StorageFullError extends FerryError {
  constructor(readonly offset: number, cause: unknown) {
    super('INSUFFICIENT_STORAGE', 'The disk is full', { status: 507, cause });
  }
}

/** Maps filesystem failures to answers a client (and a person) can act on. */
function storageError(error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new TusError('INSUFFICIENT_STORAGE', { cause: error });
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return new TusError('STORAGE_NOT_WRITABLE', { cause: error });
  return error;
}

// One flush at a time, every this many bytes. Measured against 1 and 4 MiB with 8 MiB chunks on
// loopback: flushing more often made each chunk slower (about 240 against 300 MB/s) and cost more CPU,
// because the flushes contend with the writes they overlap.
const backgroundFlushBytes = 32 * 1024 * 1024;
const infoSuffix = '.info';
const pendingSuffix = '.pending';

/** The file store: `<id>` holds the bytes (its size is the offset), `<id>.info` the record. */
export function createFileStore(options: FileStoreOptions): UploadStore {
  const dir = options.dir;
  const durable = options.durable ?? true;
  const reserveBytes = options.reserveBytes ?? 64 * 1024 * 1024;
  const quarantineDir = join(dir, 'quarantine');
  const infos = new Map<string, UploadInfo>();
  const digests = options.digests ?? createDigestWorker();
  const runningDigests = createRunningDigests(digests);
  /** Records kept in memory only (`persist: false`) until their first write. */
  const unpersisted = new Set<string>();

  const dataPath = (id: string) => join(dir, id);
  const infoPath = (id: string) => join(dir, id + infoSuffix);
  const pendingPath = (id: string) => join(dir, id + pendingSuffix);

  const writeQueues = new Map<string, Promise<void>>();
  let freeCache: { at: number; bytes: number } | undefined;

  /**
   * Records the info in memory at once, then persists it. Writes for one id run in order and each
   * writes the latest record, so concurrent updates never lose a field.
   */
  function writeInfo(info: UploadInfo, sync = durable): Promise<void> {
    infos.set(info.id, info);
    unpersisted.delete(info.id);
    const previous = writeQueues.get(info.id) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const latest = infos.get(info.id);
        if (latest) await writeFileAtomic(infoPath(info.id), JSON.stringify(latest), sync && durable);
      });
    writeQueues.set(info.id, next);
    void next.finally(() => {
      if (writeQueues.get(info.id) === next) writeQueues.delete(info.id);
    }).catch(() => undefined);
    return next;
  }

  async function sizeOf(path: string): Promise<number | undefined> {
    try {
      return (await stat(path)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  function requireInfo(id: string): UploadInfo {
    const info = infos.get(id);
    if (!info) throw new TusError('UPLOAD_NOT_FOUND');
    return info;
  }

  /**
   * A final upload of one part (how Ferry's sender seals a chunked file under its sha256) shares the
   * part's bytes through a hard link: no copy, and the part stays whole until the final completes.
   * False where the file system has no hard links, so the caller copies instead.
   */
  async function linkData(fromId: string, toId: string): Promise<boolean> {
    // Linked under a temp name, then renamed over the empty data file: the final never lacks a data file.
    const temp = `${dataPath(toId)}.link.tmp`;
    try {
      await link(dataPath(fromId), temp);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EMLINK' || code === 'EXDEV') return false;
      throw error;
    }
    await rename(temp, dataPath(toId));
    if (durable) await syncDirectory(dir);
    return true;
  }

  async function quarantine(name: string): Promise<void> {
    await mkdir(quarantineDir, { recursive: true });
    await rename(join(dir, name), join(quarantineDir, `${name}.${Date.now()}`)).catch(() => undefined);
  }

  async function reconcileOne(id: string, names: Set<string>, report: ReconcileReport): Promise<void> {
    let info: UploadInfo | undefined;
    if (names.has(id + infoSuffix)) {
      try {
        info = JSON.parse(await readFile(infoPath(id), 'utf8')) as UploadInfo;
        if (info.id !== id || typeof info.status !== 'string') info = undefined;
      } catch {
        info = undefined;
      }
    }
    if (!info) {
      // A torn or missing record: keep the bytes aside for a person to inspect, never serve them.
      report.quarantined.push(id);
      for (const name of [id, id + infoSuffix, id + pendingSuffix]) if (names.has(name)) await quarantine(name);
      return;
    }
    info.metadata = Object.assign(Object.create(null) as Record<string, string>, info.metadata);
    infos.set(id, info);
    if (names.has(id + pendingSuffix)) {
      // A checksummed chunk was in flight at the crash: it was never verified, so it never happened.
      const start = Number(await readFile(pendingPath(id), 'utf8'));
      if (Number.isSafeInteger(start) && names.has(id)) await truncate(dataPath(id), start);
      await unlink(pendingPath(id));
      report.rolledBack.push(id);
    }
    const size = names.has(id) ? await sizeOf(dataPath(id)) : undefined;
    if (size !== undefined && info.length !== null && size > info.length) {
      await truncate(dataPath(id), info.length);
      report.truncated.push(id);
    }
    if (info.finalizing) report.unfinalized.push(id);
  }

  return {
    async init() {
      await mkdir(dir, { recursive: true });
      infos.clear();
      const report: ReconcileReport = { quarantined: [], truncated: [], rolledBack: [], unfinalized: [] };
      const entries = await readdir(dir, { withFileTypes: true });
      const names = new Set<string>();
      for (const entry of entries) {
        if (!entry.isFile()) continue;
        // Leftover temp files are writes that never committed: the previous record still stands.
        if (entry.name.endsWith('.tmp')) await unlink(join(dir, entry.name)).catch(() => undefined);
        else names.add(entry.name);
      }
      const ids = new Set([...names].map((name) => name.replace(/\.(info|pending)$/, '')));
      for (const id of ids) await reconcileOne(id, names, report);
      return report;
    },

    async create(info, writeOptions) {
      if (infos.has(info.id)) throw new FerryError('UPLOAD_EXISTS', `Upload ${info.id} already exists`);
      if (writeOptions?.persist === false) {
        // The first append creates the data file; the first update writes the record.
        infos.set(info.id, info);
        unpersisted.add(info.id);
        return;
      }
      try {
        const handle = await open(dataPath(info.id), 'wx');
        await handle.close();
      } catch (error) {
        throw storageError(error);
      }
      try {
        await writeInfo(info, writeOptions?.durable ?? durable);
      } catch (error) {
        // No half-created upload: the record failed, so the empty data file goes too.
        infos.delete(info.id);
        await unlink(dataPath(info.id)).catch(() => undefined);
        throw storageError(error);
      }
    },

    async get(id): Promise<StoredUpload | undefined> {
      const info = infos.get(id);
      if (!info) return undefined;
      if (info.dataReleased) return { info, offset: info.status === 'completed' ? (info.length ?? 0) : 0 };
      return { info, offset: (await sizeOf(dataPath(id))) ?? 0 };
    },

    async update(id, patch, writeOptions) {
      const next = { ...requireInfo(id), ...patch };
      // A part keeps its running digest for the final upload; anything else is done with it.
      const finished = patch.status === 'completed' || patch.status === 'failed' || patch.status === 'expired';
      if (patch.dataReleased || (finished && next.concat?.kind !== 'partial')) runningDigests.forget(id);
      await writeInfo(next, writeOptions?.durable ?? durable);
      return next;
    },

    async append(id, source: Readable, appendOptions: AppendOptions): Promise<AppendResult> {
      requireInfo(id);
      const handle = await open(dataPath(id), 'a').catch((error: unknown) => {
        throw storageError(error);
      });
      try {
        const start = (await handle.stat()).size;
        if (start !== appendOptions.offset) throw new TusError('OFFSET_MISMATCH', { headers: { 'Upload-Offset': String(start) } });
        const checksum = appendOptions.checksum;
        // The rollback marker guards a crash mid-chunk; an upload with no record on disk yet has
        // nothing to roll back (a crash leaves bytes without a record, quarantined at startup).
        const marked = checksum !== undefined && !unpersisted.has(id);
        if (marked) {
          await writeFile(pendingPath(id), String(start));
          if (durable) await syncDirectory(dir);
        }
        // Verified on a worker thread, so a checksummed upload does not stall every other socket.
        const hash = checksum ? digests.start(checksum.algorithm) : undefined;
        // A sha256 Upload-Checksum over the whole upload already is its digest: no second hash.
        const coversWhole = checksum?.algorithm === 'sha256' && start === 0 && appendOptions.maxBytes >= (infos.get(id)!.length ?? Infinity);
        const whole = coversWhole ? undefined : runningDigests.begin(infos.get(id)!, start);
        let fed = 0;
        // Flush to disk in the background while bytes keep arriving, so the fsync before the
        // acknowledgement only has the tail left instead of the whole body.
        let flushing: Promise<void> | undefined;
        let flushedUpTo = 0;
        const result = await pumpToFile(source, handle, {
          maxBytes: appendOptions.maxBytes,
          signal: appendOptions.signal,
          // The pump calls this for every socket read: only a tracked upload pays for the second digest.
          hash: whole
            ? {
                update(piece) {
                  hash?.update(piece);
                  whole.update(piece);
                  fed += piece.length;
                },
              }
            : hash,
          onWritten: (written) => {
            appendOptions.onProgress?.(start + written);
            if (durable && !flushing && written - flushedUpTo >= backgroundFlushBytes) {
              flushedUpTo = written;
              flushing = handle.datasync().catch(() => undefined).finally(() => (flushing = undefined));
            }
          },
        });
        await flushing;
        let offset = start + result.written;
        const incomplete = result.interrupted || result.error !== undefined;
        if (incomplete) hash?.drop();
        const digest = hash && !incomplete ? await hash.finish() : undefined;
        const rejected = checksum && (incomplete || !digest!.equals(checksum.digest));
        if (rejected) {
          await handle.truncate(start);
          offset = start;
        }
        runningDigests.settle(id, !rejected && !result.error && start + fed === offset ? offset : undefined);
        if (durable) await handle.sync();
        if (marked) await unlink(pendingPath(id));
        if (result.error) {
          if (result.error.code === 'ENOSPC' || result.error.code === 'EDQUOT') throw new StorageFullError((await handle.stat()).size, result.error);
          const mapped = storageError(result.error);
          throw mapped instanceof TusError ? mapped : new TusError('STORAGE_FAILED', { cause: result.error });
        }
        if (rejected && !result.interrupted) throw new TusError('CHECKSUM_MISMATCH', { headers: { 'Upload-Offset': String(start) } });
        const completing = infos.get(id)!.length === offset;
        // A completing append needs no touch: completion rewrites the record right after.
        if (offset > start && !completing) {
          const info = infos.get(id)!;
          info.touchedAt = new Date().toISOString();
          // Persisted too: the Upload-Expires promised from touchedAt must hold after a restart (best effort:
          // the bytes are already safe, and a failed record write only makes expiry come early). No fsync:
          // two per chunk would cost more than the chunk, and a power cut only brings expiry forward.
          // Not awaited either: the acknowledgement does not depend on it, and writes per id stay ordered.
          void writeInfo(info, false).catch(() => undefined);
        }
        return { offset, exceeded: result.exceeded, interrupted: result.interrupted };
      } finally {
        await handle.close();
      }
    },

    async concatenate(id, partIds) {
      requireInfo(id);
      if (partIds.length === 1 && (await linkData(partIds[0]!, id))) return (await stat(dataPath(id))).size;
      const target = await open(dataPath(id), 'w');
      try {
        for (const partId of partIds) {
          for await (const chunk of createReadStream(dataPath(partId), { highWaterMark: 4 * 1024 * 1024 })) await target.write(chunk as Buffer);
        }
        if (durable) await target.sync();
        return (await target.stat()).size;
      } finally {
        await target.close();
      }
    },

    dataPath,

    sha256Of: (id, length) => runningDigests.take(id, length),

    async releaseData(id) {
      runningDigests.forget(id);
      await unlink(dataPath(id)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      await writeInfo({ ...requireInfo(id), dataReleased: true });
    },

    async remove(id) {
      runningDigests.forget(id);
      infos.delete(id);
      unpersisted.delete(id);
      await writeQueues.get(id)?.catch(() => undefined);
      for (const path of [dataPath(id), pendingPath(id), infoPath(id)]) {
        await unlink(path).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
      }
    },

    async list() {
      return [...infos.values()];
    },

    async freeBytes() {
      // Small files arrive by the thousand: one statfs per half second is plenty.
      if (freeCache && Date.now() - freeCache.at < 500) return freeCache.bytes;
      let bytes = Infinity;
      try {
        const stats = await statfs(dir);
        bytes = Math.max(0, stats.bavail * stats.bsize - reserveBytes);
      } catch {
        // Unknown: let the write itself report a full disk (507).
      }
      freeCache = { at: Date.now(), bytes };
      return bytes;
    },
  };
}
