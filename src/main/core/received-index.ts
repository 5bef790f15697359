import { realpath } from 'node:fs/promises';
import { isAbsolute, posix, relative, resolve, sep } from 'node:path';
import type { Receiver } from '../../engine/receiver/server';
import type { UploadQueue } from '../../engine/sender/upload-queue';
import { ipcErrorCodes } from '../../shared/ipc/contract';
import type { ReceivedFile } from '../../shared/ipc/job-view';
import type { ProgressEvent } from '../../shared/progress-event';
import { IpcFailure } from './ipc-failure';

/** How many finished uploads the Received view lists (newest first). */
const listLimit = 2_000;

type ReceiverView = Pick<Receiver, 'store' | 'hub' | 'dir'>;

export interface ReceivedIndexDeps {
  receiver: () => ReceiverView;
  onReceiverChange: (listener: (receiver: ReceiverView) => void) => () => void;
  /** The app's own jobs: an upload id of one of them was sent by this app. */
  queue: Pick<UploadQueue, 'list'>;
  /** How many uploads seen on the hub are remembered (multipart files have no other record). */
  maxSeen?: number;
}

export interface ReceivedIndex {
  list(): Promise<ReceivedFile[]>;
  /** The absolute path of a received file, strictly inside the receive folder; refuses anything else. */
  resolve(uploadId: string): Promise<string>;
  close(): void;
}

interface Seen {
  uploadId: string;
  source: 'tus' | 'multipart';
  name: string;
  size: number;
  finishedAt: number;
  context: Record<string, unknown>;
}

export const fromThisApp = 'This app';
const stateFolder = '.ferry';
const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);
const isLoopback = (address: string | undefined) =>
  address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';

function lastSegment(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const path = url.split(/[?#]/)[0]!;
  return path.slice(path.lastIndexOf('/') + 1) || undefined;
}

function ownIds(queue: ReceivedIndexDeps['queue']): Set<string> {
  const ids = new Set<string>();
  for (const job of queue.list()) {
    for (const url of [job.uploadUrl, ...(job.parts ?? []).map((part) => part.url)]) {
      const id = lastSegment(url);
      if (id) ids.add(id);
    }
  }
  return ids;
}

function fromOf(uploadId: string, own: Set<string>, context: Record<string, unknown> | undefined): string {
  if (own.has(uploadId)) return fromThisApp;
  const agent = text(context?.userAgent);
  const address = text(context?.remoteAddress);
  // Our own sender, on this machine, for a job cleared from the list since.
  if (agent?.startsWith('Ferry/') && isLoopback(address)) return fromThisApp;
  return [agent, address].filter(Boolean).join(' · ') || 'Unknown';
}

function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return (
    rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel) && rel.split(sep)[0] !== stateFolder
  );
}

export function createReceivedIndex(deps: ReceivedIndexDeps): ReceivedIndex {
  const maxSeen = deps.maxSeen ?? 10_000;
  const seen = new Map<string, Seen>();
  let unsubscribe = () => {};

  function record(event: ProgressEvent) {
    if (event.status !== 'completed') return;
    const { filename, source, ...context } = event.context;
    seen.delete(event.uploadId);
    seen.set(event.uploadId, {
      uploadId: event.uploadId,
      source,
      name: filename,
      size: event.length ?? event.offset,
      finishedAt: Date.parse(event.timestamp),
      context,
    });
    // Oldest first out: a Map iterates in insertion order.
    if (seen.size > maxSeen) seen.delete(seen.keys().next().value!);
  }

  function watch(receiver: ReceiverView) {
    unsubscribe();
    for (const event of receiver.hub.snapshot()) record(event);
    unsubscribe = receiver.hub.subscribe(record);
  }
  watch(deps.receiver());
  const stopWatching = deps.onReceiverChange(watch);

  async function list(): Promise<ReceivedFile[]> {
    const own = ownIds(deps.queue);
    const files: ReceivedFile[] = [];
    const listed = new Set<string>();
    const store = deps.receiver().store;
    // The newest finished uploads only: a receiver can hold 100,000 records, read from disk on demand.
    for (const info of await store.listFinished(listLimit)) {
      if (info.status !== 'completed' || !info.placedPath || info.concat?.kind === 'partial') continue;
      const hub = seen.get(info.id);
      listed.add(info.id);
      const file: ReceivedFile = {
        uploadId: info.id,
        name: posix.basename(info.placedPath),
        relativePath: info.placedPath,
        size: info.length ?? 0,
        from: fromOf(info.id, own, hub?.context),
        source: 'tus',
        finishedAt: hub?.finishedAt ?? Date.parse(info.touchedAt),
      };
      const sha256 = info.metadata.sha256;
      if (sha256 && /^[0-9a-f]{64}$/i.test(sha256)) file.sha256 = sha256.toLowerCase();
      files.push(file);
    }
    for (const entry of seen.values()) {
      const placed = text(entry.context.placedPath);
      if (entry.source !== 'multipart' || listed.has(entry.uploadId) || !placed) continue;
      files.push({
        uploadId: entry.uploadId,
        name: entry.name,
        relativePath: placed,
        size: entry.size,
        from: fromOf(entry.uploadId, own, entry.context),
        source: 'multipart',
        finishedAt: entry.finishedAt,
      });
    }
    return files.sort((a, b) => b.finishedAt - a.finishedAt);
  }

  /** One record, not the list: an old file past the list's limit can still be opened. */
  async function findFile(uploadId: string): Promise<{ relativePath: string } | undefined> {
    const stored = await deps.receiver().store.get(uploadId);
    if (stored?.info.status === 'completed' && stored.info.placedPath && stored.info.concat?.kind !== 'partial')
      return { relativePath: stored.info.placedPath };
    const entry = seen.get(uploadId);
    const placed = entry && entry.source === 'multipart' ? text(entry.context.placedPath) : undefined;
    return placed ? { relativePath: placed } : undefined;
  }

  async function resolvePath(uploadId: string): Promise<string> {
    const file = await findFile(uploadId);
    if (!file) throw new IpcFailure(ipcErrorCodes.notFound, 'No received file has this id');
    const refuse = () => new IpcFailure(ipcErrorCodes.notAllowed, 'That file is not inside the receive folder');
    const root = await realpath(deps.receiver().dir).catch(() => resolve(deps.receiver().dir));
    // resolve, not join: an absolute path stays absolute and is refused below.
    const candidate = resolve(root, file.relativePath);
    if (!isInside(root, candidate)) throw refuse();
    // A symlink planted inside the folder must not lead out of it.
    const real = await realpath(candidate).catch((error: unknown) => {
      throw new IpcFailure(ipcErrorCodes.notFound, 'The file is no longer in the receive folder', { cause: error });
    });
    if (!isInside(root, real)) throw refuse();
    return real;
  }

  return {
    list,
    resolve: resolvePath,
    close() {
      unsubscribe();
      stopWatching();
    },
  };
}
