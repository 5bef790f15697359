import { createReadStream } from 'node:fs';
import { link, mkdir, open, rename, stat, statfs, unlink } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createDigestPool } from '../../crypto/digest-pool';
import type { DigestWorker } from '../../crypto/digest-worker';
import { syncDirectory, writeFileAtomic } from '../../fs/atomic-file';
import type { AppendOptions, AppendResult, StoredUpload, UploadInfo, UploadStore } from './types';
import { appendChunk, type AppendContext } from './append-chunk';
import { createFinishedRecords, isSettled } from './finished-records';
import { nextRecord } from './record-rules';
import { purgeQuarantine } from './quarantine';
import { inParallel, reconcileStoreDir } from './reconcile';
import { createRunningDigests } from './running-digests';
import { StoreError, storageError } from './store-errors';
import { storeFs, type StoreFs } from './store-fs';
import { ignoreMissing, sizeOf, storePaths } from './store-layout';

/** How long records of finished uploads keep answering, by default. */
export const defaultRetainFinishedMs = 7 * 24 * 60 * 60 * 1000;

export interface FileStoreOptions {
  /** Folder for data and info files. */
  dir: string;
  /** fsync data before an offset is acknowledged, and info files on every write. */
  durable?: boolean;
  /** Bytes kept free on the disk: creation refuses to eat into them. */
  reserveBytes?: number;
  /** Shared hashing thread; the store starts its own when none is given. */
  digests?: DigestWorker;
  /** How long finished, failed and expired uploads keep their records, and quarantined data stays. */
  retainFinishedMs?: number;
  /** The disk flushes, replaceable to inject faults. */
  fs?: Partial<StoreFs>;
}

/** The file store: `<id>` holds the bytes (its size is the offset), `<id>.info` the record. */
export function createFileStore(options: FileStoreOptions): UploadStore {
  const dir = options.dir;
  const durable = options.durable ?? true;
  const reserveBytes = options.reserveBytes ?? 64 * 1024 * 1024;
  const retainMs = options.retainFinishedMs ?? defaultRetainFinishedMs;
  const fs = storeFs(options.fs);
  /** Records of uploads not done yet; finished ones live in `finished`. */
  const infos = new Map<string, UploadInfo>();
  const paths = storePaths(dir);
  const { dataPath, infoPath, pendingPath } = paths;
  const digests = options.digests ?? createDigestPool();
  const runningDigests = createRunningDigests(digests, dataPath);
  const finished = createFinishedRecords({ dir: paths.finishedDir, retainMs, durable });
  /** Records kept in memory only (`persist: false`) until their first write. */
  const unpersisted = new Set<string>();

  const writeQueues = new Map<string, Promise<void>>();
  /** The newest record per id while writes for it are queued. */
  const latest = new Map<string, UploadInfo>();
  let freeCache: { at: number; bytes: number } | undefined;

  /**
   * Records the info in memory at once, then persists it. Writes for one id run in order and each
   * writes the latest record, so concurrent updates never lose a field. A record done changing moves
   * to the finished records and out of memory.
   */
  function writeInfo(info: UploadInfo, sync = durable): Promise<void> {
    const id = info.id;
    unpersisted.delete(id);
    latest.set(id, info);
    if (isSettled(info)) {
      infos.delete(id);
      finished.remember(info);
    } else infos.set(id, info);
    const previous = writeQueues.get(id) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const record = latest.get(id);
        if (!record) return;
        if (!isSettled(record)) return writeFileAtomic(infoPath(id), JSON.stringify(record), sync && durable);
        await finished.write(record, sync && durable);
        await unlink(infoPath(id)).catch(ignoreMissing);
      });
    writeQueues.set(id, next);
    void next
      .finally(() => {
        if (writeQueues.get(id) !== next) return;
        writeQueues.delete(id);
        latest.delete(id);
      })
      .catch(() => undefined);
    return next;
  }

  /** The newest record, active or finished (and still retained). Callers read `newest` again after awaiting this. */
  async function recordOf(id: string): Promise<UploadInfo | undefined> {
    const info = newest(id) ?? (await finished.load(id));
    return info && (!isSettled(info) || finished.isRetained(info)) ? info : undefined;
  }
  const newest = (id: string) => infos.get(id) ?? finished.peek(id);

  function requireInfo(id: string): UploadInfo {
    const info = infos.get(id);
    if (!info) throw new StoreError('UPLOAD_NOT_FOUND');
    return info;
  }

  async function update(id: string, patch: Partial<Omit<UploadInfo, 'id'>>, sync = durable): Promise<UploadInfo> {
    const loaded = await recordOf(id);
    // Read again after the wait, and merge in the same turn: concurrent updates never lose a field.
    const current = loaded && (newest(id) ?? loaded);
    if (!current) throw new StoreError('UPLOAD_NOT_FOUND');
    const next = nextRecord(current, patch);
    // A part keeps its running digest for the final upload; anything else is done with it.
    const finishedNow =
      next.status !== current.status &&
      (next.status === 'completed' || next.status === 'failed' || next.status === 'expired');
    if (next.dataReleased || next.status === 'failed' || (finishedNow && next.concat?.kind !== 'partial'))
      runningDigests.forget(id);
    await writeInfo(next, sync);
    return next;
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
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EMLINK' || code === 'EXDEV')
        return false;
      throw error;
    }
    await rename(temp, dataPath(toId));
    if (durable) await syncDirectory(dir);
    return true;
  }

  async function removeFiles(id: string): Promise<void> {
    for (const path of [dataPath(id), pendingPath(id), infoPath(id)]) await unlink(path).catch(ignoreMissing);
  }

  const appendContext: AppendContext = {
    dir,
    durable,
    paths,
    fs,
    digests,
    runningDigests,
    infos,
    unpersisted,
    writeInfo,
  };

  const store: UploadStore = {
    async init() {
      await mkdir(dir, { recursive: true });
      infos.clear();
      const report = await reconcileStoreDir(dir, infos);
      await finished.init();
      const now = Date.now();
      const moved = new Set<string>();
      await inParallel([...infos.values()], async (info) => {
        if (isSettled(info)) {
          // Finished before the stop, kept here by an older version: moved aside as it is, or forgotten.
          infos.delete(info.id);
          if (finished.isRetained(info, now)) moved.add(await finished.adopt(infoPath(info.id), info));
          else await unlink(infoPath(info.id)).catch(ignoreMissing);
        } else if (await finished.load(info.id)) {
          // Already finished: this copy is one whose removal did not reach the disk.
          infos.delete(info.id);
          await removeFiles(info.id);
        }
      });
      if (moved.size > 0 && durable) for (const folder of [dir, ...moved]) await syncDirectory(folder);
      await store.purge(now);
      return report;
    },

    async create(info, writeOptions) {
      // Ids are random, or derived from a key whose lookup (`get`) already saw any finished record.
      if (infos.has(info.id)) throw new StoreError('UPLOAD_EXISTS', { message: `Upload ${info.id} already exists` });
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
      const info = await recordOf(id);
      if (!info) return undefined;
      if (info.dataReleased) return { info, offset: info.status === 'completed' ? (info.length ?? 0) : 0 };
      return { info, offset: (await sizeOf(dataPath(id))) ?? 0 };
    },

    update: (id, patch, writeOptions) => update(id, patch, writeOptions?.durable ?? durable),

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
          for await (const chunk of createReadStream(dataPath(partId), { highWaterMark: 4 * 1024 * 1024 }))
            await target.write(chunk as Buffer);
        }
        if (durable) await fs.sync(target, dataPath(id));
        return (await target.stat()).size;
      } finally {
        await target.close();
      }
    },

    dataPath,

    sha256Of: (id, length) => runningDigests.take(id, length),

    warmSha256(id) {
      const info = infos.get(id);
      if (info?.length != null && !info.dataReleased) runningDigests.rebuild(info, info.length);
    },

    async releaseData(id, patch = {}) {
      runningDigests.forget(id);
      await unlink(dataPath(id)).catch(ignoreMissing);
      await update(id, { ...patch, dataReleased: true });
    },

    async settled() {
      // A write's own `finally` drops it from the map before this wakes, so the loop ends.
      while (writeQueues.size > 0)
        await Promise.all([...writeQueues.values()].map((write) => write.catch(() => undefined)));
    },

    async remove(id) {
      runningDigests.forget(id);
      infos.delete(id);
      unpersisted.delete(id);
      latest.delete(id);
      await writeQueues.get(id)?.catch(() => undefined);
      await removeFiles(id);
      await finished.remove(id);
    },

    async list() {
      const active = [...infos.values()];
      const activeIds = new Set(active.map((info) => info.id));
      return [...active, ...(await finished.list()).filter((info) => !activeIds.has(info.id))];
    },

    listFinished: (limit) => finished.list(limit),

    listActive: async () => [...infos.values()],

    async purge(now = Date.now()) {
      await finished.purge(now);
      await purgeQuarantine(paths.quarantineDir, retainMs, now);
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
  return store;
}
