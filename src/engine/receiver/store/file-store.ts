import { createReadStream } from 'node:fs';
import { link, mkdir, open, rename, stat, statfs, unlink } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createDigestWorker, type DigestWorker } from '../../crypto/digest-worker';
import { FerryError } from '../../errors';
import { TusError } from '../tus/tus-errors';
import { syncDirectory, writeFileAtomic } from '../../fs/atomic-file';
import type { AppendOptions, AppendResult, StoredUpload, UploadInfo, UploadStore } from './types';
import { appendChunk, type AppendContext } from './append-chunk';
import { reconcileStoreDir } from './reconcile';
import { createRunningDigests } from './running-digests';
import { storageError } from './storage-errors';
import { sizeOf, storePaths } from './store-layout';

export { StorageFullError } from './storage-errors';

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

/** The file store: `<id>` holds the bytes (its size is the offset), `<id>.info` the record. */
export function createFileStore(options: FileStoreOptions): UploadStore {
  const dir = options.dir;
  const durable = options.durable ?? true;
  const reserveBytes = options.reserveBytes ?? 64 * 1024 * 1024;
  const infos = new Map<string, UploadInfo>();
  const digests = options.digests ?? createDigestWorker();
  const runningDigests = createRunningDigests(digests);
  /** Records kept in memory only (`persist: false`) until their first write. */
  const unpersisted = new Set<string>();

  const paths = storePaths(dir);
  const { dataPath, infoPath, pendingPath } = paths;

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

  const appendContext: AppendContext = { dir, durable, paths, digests, runningDigests, infos, unpersisted, writeInfo };

  return {
    async init() {
      await mkdir(dir, { recursive: true });
      infos.clear();
      return reconcileStoreDir(dir, infos);
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
      if (patch.dataReleased || patch.status === 'failed' || (finished && next.concat?.kind !== 'partial')) runningDigests.forget(id);
      await writeInfo(next, writeOptions?.durable ?? durable);
      return next;
    },

    async append(id, source: Readable, appendOptions: AppendOptions): Promise<AppendResult> {
      requireInfo(id);
      return appendChunk(appendContext, id, source, appendOptions);
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
