import { mkdir, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isTerminal } from '../../../shared/progress-event';
import { syncDirectory, writeFileAtomic } from '../../fs/atomic-file';
import { infoSuffix, ignoreMissing } from './store-layout';
import type { UploadInfo } from './types';

/**
 * Records of finished uploads, kept apart from the ones in progress so startup reads only the latter.
 * They live in `finished/<bucket>/<id>.info`, a bucket per stretch of time named by its end (in epoch
 * ms), so retention removes whole folders and a lookup tries a handful of them. Retention counts from
 * `finishedAt`: past it a record reads as gone, and its bucket goes at the next purge.
 */
export interface FinishedRecords {
  init(): Promise<void>;
  /** The record, from memory or disk; undefined when unknown or past retention. */
  load(id: string): Promise<UploadInfo | undefined>;
  /** The newest record in memory, if any (a write may still be on its way). */
  peek(id: string): UploadInfo | undefined;
  /** Keeps the record in memory at once; `write` puts it on disk. */
  remember(info: UploadInfo): void;
  write(info: UploadInfo, sync: boolean): Promise<void>;
  /** Moves a record file written elsewhere in as it is (no rewrite); returns its folder, to be synced. */
  adopt(path: string, info: UploadInfo): Promise<string>;
  remove(id: string): Promise<void>;
  /** Newest first; with a limit, only the newest folders are read. */
  list(limit?: number): Promise<UploadInfo[]>;
  purge(now: number): Promise<void>;
  isRetained(info: UploadInfo, now?: number): boolean;
}

/** Done changing: its bytes are gone (landed, discarded or used) and its status is final. */
export function isSettled(info: UploadInfo): boolean {
  return isTerminal(info.status) && info.dataReleased === true && !info.finalizing;
}

export function finishedAtOf(info: UploadInfo): number {
  return Date.parse(info.finishedAt ?? info.touchedAt);
}

const cacheSize = 512;

export function createFinishedRecords(options: { dir: string; retainMs: number; durable: boolean }): FinishedRecords {
  const { dir, retainMs, durable } = options;
  // About seven buckets alive at a time, whatever the retention.
  const width = Math.max(1, Math.ceil(retainMs / 7));
  /** Bucket ends, newest first. */
  let buckets: number[] = [];
  /** Recently used records and where each lives; pinned ones have a write on its way. */
  const cache = new Map<string, { info: UploadInfo; bucket?: number }>();
  const pinned = new Map<string, number>();

  const bucketOf = (info: UploadInfo) => (Math.floor(finishedAtOf(info) / width) + 1) * width;
  const pathOf = (bucket: number, id: string) => join(dir, String(bucket), id + infoSuffix);
  const isRetained = (info: UploadInfo, now = Date.now()) => finishedAtOf(info) + retainMs >= now;

  function cacheSet(id: string, entry: { info: UploadInfo; bucket?: number }): void {
    cache.delete(id);
    cache.set(id, entry);
    for (const oldest of cache.keys()) {
      if (cache.size <= cacheSize) break;
      if (!pinned.has(oldest)) cache.delete(oldest);
    }
  }

  async function readRecord(bucket: number, id: string): Promise<UploadInfo | undefined> {
    try {
      const info = JSON.parse(await readFile(pathOf(bucket, id), 'utf8')) as UploadInfo;
      if (info.id !== id || typeof info.status !== 'string') return undefined;
      info.metadata = Object.assign(Object.create(null) as Record<string, string>, info.metadata);
      return info;
    } catch {
      return undefined;
    }
  }

  async function find(id: string): Promise<{ info: UploadInfo; bucket: number } | undefined> {
    for (const bucket of buckets) {
      const info = await readRecord(bucket, id);
      if (info) return { info, bucket };
    }
    return undefined;
  }

  async function addBucket(bucket: number): Promise<void> {
    if (buckets.includes(bucket)) return;
    const made = await mkdir(join(dir, String(bucket)), { recursive: true });
    if (!buckets.includes(bucket)) buckets = [...buckets, bucket].sort((a, b) => b - a);
    // A new folder must survive a power cut with the records written into it.
    if (made !== undefined && durable) {
      await syncDirectory(dir);
      if (made === dir) await syncDirectory(dirname(dir));
    }
  }

  return {
    async init() {
      // Made with the first finished record: a store that never finished anything has no folder for it.
      const names = await readdir(dir).catch(() => [] as string[]);
      buckets = names
        .filter((name) => /^\d{1,16}$/.test(name))
        .map(Number)
        .sort((a, b) => b - a);
      cache.clear();
    },

    async load(id) {
      const known = cache.get(id) ?? (await find(id));
      if (!known || !isRetained(known.info)) return undefined;
      cacheSet(id, known);
      return known.info;
    },

    peek: (id) => cache.get(id)?.info,

    remember(info) {
      cacheSet(info.id, { info, bucket: cache.get(info.id)?.bucket });
      pinned.set(info.id, (pinned.get(info.id) ?? 0) + 1);
    },

    async write(info, sync) {
      const bucket = bucketOf(info);
      const before = cache.get(info.id)?.bucket;
      try {
        await addBucket(bucket);
        await writeFileAtomic(pathOf(bucket, info.id), JSON.stringify(info), sync);
        if (cache.get(info.id)?.info === info) cacheSet(info.id, { info, bucket });
        // Finishing again (a part used after it completed) can move it to a newer bucket.
        if (before !== undefined && before !== bucket) await unlink(pathOf(before, info.id)).catch(() => undefined);
      } finally {
        const left = (pinned.get(info.id) ?? 1) - 1;
        if (left > 0) pinned.set(info.id, left);
        else pinned.delete(info.id);
      }
    },

    async adopt(path, info) {
      const bucket = bucketOf(info);
      await addBucket(bucket);
      await rename(path, pathOf(bucket, info.id));
      return join(dir, String(bucket));
    },

    async remove(id) {
      cache.delete(id);
      for (const bucket of buckets) await unlink(pathOf(bucket, id)).catch(ignoreMissing);
    },

    async list(limit = Infinity) {
      const found = new Map<string, UploadInfo>();
      for (const [id, { info }] of cache) if (pinned.has(id)) found.set(id, info);
      for (const bucket of buckets) {
        if (found.size >= limit) break;
        const names = await readdir(join(dir, String(bucket))).catch(() => [] as string[]);
        const inBucket: UploadInfo[] = [];
        for (const name of names) {
          const id = name.slice(0, -infoSuffix.length);
          if (!name.endsWith(infoSuffix) || found.has(id)) continue;
          const info = cache.get(id)?.info ?? (await readRecord(bucket, id));
          if (info && isRetained(info)) inBucket.push(info);
        }
        inBucket.sort((a, b) => finishedAtOf(b) - finishedAtOf(a));
        for (const info of inBucket.slice(0, limit - found.size)) found.set(info.id, info);
      }
      return [...found.values()].sort((a, b) => finishedAtOf(b) - finishedAtOf(a));
    },

    async purge(now) {
      for (const bucket of buckets.filter((end) => end + retainMs < now)) {
        await rm(join(dir, String(bucket)), { recursive: true, force: true });
        buckets = buckets.filter((other) => other !== bucket);
        for (const [id, entry] of cache) if (entry.bucket === bucket && !pinned.has(id)) cache.delete(id);
      }
    },

    isRetained,
  };
}
