import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { JobPhase, PartState, UploadJob } from '../../shared/upload-job';
import { throttledBody, type BandwidthLimiter } from './bandwidth-limiter';
import type { DigestSession } from '../crypto/digest-worker';
import { allocChunk, type ChunkHasher } from './chunk-hasher';
import { readChunk } from './chunk-reader';
import { TusRequestError } from './sender-errors';
import { sendGrowing } from './growing-transfer';
import { withStallWatch } from './stall-watch';
import type { ServerCapabilities, TusClient, TusTarget } from './tus-client';

export interface TransferSettings {
  chunkSize: number;
  /** Chunks in flight per file; above 1 uses tus concatenation where the server has it. */
  parallel: number;
  stallTimeoutMs: number;
  checksum: boolean;
  /** A growing source counts as finished once its size and mtime have not moved for this long. */
  growingQuietMs: number;
}

export interface TransferDeps {
  client: TusClient;
  hasher: ChunkHasher;
  limiter: BandwidthLimiter;
  settings: () => TransferSettings;
  /** Records resume state (URLs, parts) on the job and persists it; `durable` resolves once it is stored. */
  save(patch: Partial<UploadJob>, durable?: boolean): void | Promise<void>;
  onAcknowledged(total: number): void;
  onSent(total: number): void;
  onPhase(phase: JobPhase): void;
  /** A growing source: `size` is what exists so far; `final` once its length is declared. */
  onSize(size: number, final: boolean): void;
  /** Waits while the whole pool is told to hold off (429, 503 + Retry-After). */
  gate(): Promise<void>;
}

const sliceBytes = 256 * 1024;
const limitedSliceBytes = 64 * 1024;

/**
 * The chunk as a stream of slices, so progress (and the stall watch) see bytes as they leave. Every
 * slice passes the limiter, so a limit set while a chunk is on the wire applies to it at once.
 */
function bodyOf(buffer: Buffer, limiter: BandwidthLimiter, signal: AbortSignal): Readable {
  // Under a limit, small slices keep the shared bucket fair between files.
  return throttledBody(buffer, limiter, signal, limiter.rate === null ? sliceBytes : limitedSliceBytes);
}

/** `sha256` (hex, whole file) goes along where it is known at creation: Ferry's receiver checks it end to end. */
export function metadataOf(job: UploadJob, sha256?: string): Record<string, string> {
  return { filename: job.name, ...(job.relativePath ? { relativePath: job.relativePath } : {}), ...(sha256 ? { sha256 } : {}) };
}

const hexOf = (checksumValue: string) => Buffer.from(checksumValue.slice('sha256 '.length), 'base64').toString('hex');

export interface Session {
  job: UploadJob;
  target: TusTarget;
  handle: FileHandle;
  caps: ServerCapabilities;
  settings: TransferSettings;
  deps: TransferDeps;
  signal: AbortSignal;
  /** Read and hash the next chunk while this one is on the wire (a second buffer per file). */
  prefetch: boolean;
  /** Read buffers, reused by every range sent through this session (a growing file's rounds). */
  slots: ChunkSlots;
}

interface ChunkSlots {
  buffers: Buffer[];
  /** A buffer the whole-file digest still reads in place is not refilled before it is done. */
  hashing: Promise<void>[];
}

const newSlots = (): ChunkSlots => ({ buffers: [], hashing: [] });

/** Per-chunk sha256 `Upload-Checksum`, where the server takes it. */
const checksumsWanted = ({ settings, caps }: Session) => settings.checksum && caps.extensions.has('checksum') && caps.checksumAlgorithms.has('sha256');

interface PreparedChunk {
  slot: number;
  from: number;
  body: Buffer;
  checksum: string | undefined;
}

/**
 * Sends [offset, end) of the file to `url` chunk by chunk; returns the acknowledged offset. The next
 * chunk is read and hashed while the current one is on the wire, in two reused buffers, so the
 * network never waits for the disk or the hash (without `prefetch`: one buffer, read when needed).
 */
export async function sendRange(session: Session, url: string, rangeStart: number, rangeEnd: number, startOffset: number, report: (acknowledged: number, sent: number) => void, whole?: DigestSession): Promise<number> {
  const { job, target, handle, settings, deps, signal, prefetch } = session;
  const { buffers, hashing } = session.slots;
  const useChecksum = checksumsWanted(session);
  const chunkBytes = Math.min(settings.chunkSize, rangeEnd - rangeStart);
  let turn = 0;
  const prepare = async (from: number): Promise<PreparedChunk> => {
    const slot = prefetch ? turn++ % 2 : 0;
    await hashing[slot];
    // Allocated on first use (a file finished by its creation request needs none), and again only
    // while a growing file's range outgrows it, up to a chunk.
    let buffer = buffers[slot];
    if (!buffer || buffer.length < chunkBytes) buffer = buffers[slot] = allocChunk(chunkBytes);
    const body = await readChunk(handle, job, from, Math.min(rangeEnd, from + settings.chunkSize), buffer);
    return { slot, from, body, checksum: useChecksum ? await deps.hasher.checksum(body) : undefined };
  };
  let offset = startOffset;
  let upcoming: Promise<PreparedChunk> | undefined;
  // The buffers outlive this call (a growing file's next round): no read may still be filling one.
  try {
    while (rangeStart + offset < rangeEnd) {
      await deps.gate();
      // The prefetched chunk is only right if the server took all of the previous one.
      let current = upcoming ? await upcoming : undefined;
      if (!current || current.from !== rangeStart + offset) current = await prepare(rangeStart + offset);
      const following = current.from + current.body.length;
      upcoming = prefetch && following < rangeEnd ? prepare(following) : undefined;
      upcoming?.catch(() => undefined);
      const base = offset;
      const { body, checksum } = current;
      const next = await withStallWatch(settings.stallTimeoutMs, signal, (patchSignal, touch) =>
        deps.client.patch(target, url, {
          offset: base,
          body: bodyOf(body, deps.limiter, patchSignal),
          length: body.length,
          checksum,
          signal: patchSignal,
          onSent: (bytes) => {
            touch();
            report(base, base + bytes);
          },
        }),
      );
      if (!(next > base && next <= base + body.length)) throw new TusRequestError('BAD_OFFSET', `The server acknowledged offset ${next} after ${base}`, undefined, undefined);
      if (whole) hashing[current.slot] = whole.updateShared(body.subarray(0, next - base));
      offset = next;
      report(offset, offset);
    }
  } finally {
    await upcoming?.catch(() => undefined);
  }
  return offset;
}

async function sendSequential(session: Session): Promise<void> {
  const { job, target, handle, caps, deps, settings } = session;
  let url = job.uploadUrl;
  let offset = 0;
  if (url) {
    const head = await deps.client.head(target, url);
    if (head.length !== undefined && head.length !== job.size) throw new TusRequestError('LENGTH_CHANGED', 'The stored upload has another length', 410, undefined);
    offset = head.offset;
  } else if (job.size <= settings.chunkSize && caps.extensions.has('creation-with-upload')) {
    // Small file: one request creates the upload and carries all of its bytes.
    const body = await readChunk(handle, job, 0, job.size);
    const useChecksum = checksumsWanted(session) && job.size > 0;
    // The body is the whole file: one digest serves as chunk checksum and end-to-end sha256.
    const digest = await deps.hasher.checksum(body);
    const sha256 = hexOf(digest);
    // Through the limiter like every chunk: a bandwidth limit holds for small files too.
    const created = await withStallWatch(settings.stallTimeoutMs, session.signal, (createSignal) =>
      deps.client.create(target, { length: job.size, metadata: metadataOf(job, sha256), body: deps.limiter.rate === null ? body : bodyOf(body, deps.limiter, createSignal), checksum: useChecksum ? digest : undefined, signal: createSignal }),
    );
    url = created.url;
    offset = created.offset;
    // Complete in one request: nothing left to resume, so no need to wait for the disk.
    await deps.save({ uploadUrl: url, sha256 }, offset < job.size);
  } else {
    const created = await deps.client.create(target, { length: job.size, metadata: metadataOf(job) });
    url = created.url;
    await deps.save({ uploadUrl: url }, true);
  }
  deps.onAcknowledged(offset);
  // From the first byte, the whole file's sha256 comes along for free, fed in acknowledged order.
  const whole = offset === 0 && offset < job.size ? deps.hasher.session() : undefined;
  try {
    await sendRange(session, url, 0, job.size, offset, (acknowledged, sent) => {
      deps.onAcknowledged(acknowledged);
      deps.onSent(sent);
      if (sent === job.size && acknowledged < job.size) deps.onPhase('finalizing');
    }, whole);
  } catch (error) {
    whole?.drop();
    throw error;
  }
  if (whole) deps.save({ sha256: (await whole.finish()).toString('hex') });
}

/**
 * Seals finished partial uploads with a final upload carrying the whole file's sha256, which Ferry's
 * receiver checks before the file lands.
 */
export async function sealParts(session: Session, parts: PartState[], length: number, sha256: string): Promise<void> {
  const { job, target, deps } = session;
  const final = await deps.client.create(target, { length, metadata: metadataOf(job, sha256), concat: { final: parts.map((part) => part.url!) } });
  // On disk before the job counts as done: a kill now must resume by HEAD, not seal the parts again.
  await deps.save({ uploadUrl: final.url, parts, sha256 }, true);
}

function splitParts(size: number, count: number, chunkSize: number): PartState[] {
  const per = Math.ceil(size / count / chunkSize) * chunkSize;
  const parts: PartState[] = [];
  for (let start = 0; start < size; start += per) parts.push({ start, end: Math.min(size, start + per), offset: 0 });
  return parts;
}

/**
 * Parts through tus concatenation: partial uploads, then one final upload that carries the whole
 * file's sha256. With one part this seals a chunked file: the receiver checks every byte before the
 * file lands, which a plain chunked upload cannot ask for (its metadata is fixed before the hash is known).
 */
async function sendParts(session: Session, count: number): Promise<void> {
  const { job, target, deps, settings } = session;
  if (job.uploadUrl) {
    const head = await deps.client.head(target, job.uploadUrl);
    if (head.offset === job.size) return deps.onAcknowledged(job.size);
  }
  const fresh = !job.parts;
  const parts = job.parts ?? splitParts(job.size, count, settings.chunkSize);
  // One fresh part goes out in order, so its bytes feed the whole-file sha256 as they are acknowledged.
  // Otherwise (parts in any order, or a resume) the file is hashed in a pass of its own on the worker
  // thread while the parts are on the wire.
  const inOrder = fresh && parts.length === 1 ? deps.hasher.session() : undefined;
  const separatePass = inOrder ? undefined : deps.hasher.hashFile(job.path, session.signal);
  separatePass?.catch(() => undefined);
  const acknowledged = () => parts.reduce((sum, part) => sum + part.offset, 0);
  const sentByPart = new Map<PartState, number>();
  const inner = new AbortController();
  const onAbort = () => inner.abort(session.signal.reason);
  session.signal.addEventListener('abort', onAbort);
  // Several parts already overlap one another's reading, hashing and sending: one buffer each is enough.
  const partSession = { ...session, signal: inner.signal, prefetch: parts.length === 1 };
  try {
    await Promise.all(
      parts.map(async (part) => {
        try {
          const length = part.end - part.start;
          if (!part.url) {
            // A lone part is the whole file: its name shows on the receiver while it arrives.
            part.url = (await deps.client.create(target, { length, metadata: parts.length === 1 ? metadataOf(job) : {}, concat: 'partial' })).url;
            await deps.save({ parts }, true);
          } else {
            part.offset = (await deps.client.head(target, part.url)).offset;
          }
          await sendRange({ ...partSession, slots: newSlots() }, part.url, part.start, part.end, part.offset, (ack, sent) => {
            part.offset = ack;
            sentByPart.set(part, sent);
            deps.onAcknowledged(acknowledged());
            deps.onSent([...sentByPart.values()].reduce((a, b) => a + b, 0));
          }, inOrder);
          await deps.save({ parts });
        } catch (error) {
          // One part failing stops the others; each has persisted its offset and resumes by HEAD.
          inner.abort(error);
          throw error;
        }
      }),
    );
  } catch (error) {
    inOrder?.drop();
    throw error;
  } finally {
    session.signal.removeEventListener('abort', onAbort);
  }
  deps.onPhase('finalizing');
  const sha256 = inOrder ? (await inOrder.finish()).toString('hex') : await separatePass!;
  await sealParts(session, parts, job.size, sha256);
  deps.onAcknowledged(job.size);
}

/**
 * Picks how a file travels: one request if it fits in a chunk; parts through concatenation when the
 * server has it and more than one is wanted; one sealed part where Ferry's receiver checks the sha256;
 * plain chunks otherwise. A job already under way keeps the way it started.
 */
function sendByPlan(session: Session): Promise<void> {
  const { job, caps, settings } = session;
  if (job.growing) return sendGrowing(session);
  if (job.parts) return sendParts(session, job.parts.length);
  const concatenation = caps.extensions.has('concatenation') && !job.uploadUrl;
  if (concatenation && settings.parallel > 1 && job.size >= 2 * settings.chunkSize) return sendParts(session, settings.parallel);
  const oneRequest = job.size <= settings.chunkSize && caps.extensions.has('creation-with-upload');
  if (concatenation && !oneRequest && job.size > 0 && caps.ferryFeatures.has('end-to-end-sha256')) return sendParts(session, 1);
  return sendSequential(session);
}

/** Uploads one file to completion or throws; resume state lives on the job. */
export async function transferFile(job: UploadJob, deps: TransferDeps, signal: AbortSignal): Promise<void> {
  const caps = await deps.client.options(job.target);
  if (caps.maxSize !== undefined && job.size > caps.maxSize) throw new TusRequestError('FILE_TOO_LARGE', `The file is larger than the server accepts (${caps.maxSize} bytes)`, 413, undefined);
  const settings = deps.settings();
  const handle = await open(job.path, 'r');
  try {
    const session: Session = { job, target: job.target, handle, caps, settings, deps, signal, prefetch: true, slots: newSlots() };
    // A stalled or waiting job says so until the server answers again (onAcknowledged clears it).
    if (job.phase === undefined || job.phase === 'finalizing') deps.onPhase('uploading');
    await sendByPlan(session);
  } finally {
    await handle.close();
  }
}
