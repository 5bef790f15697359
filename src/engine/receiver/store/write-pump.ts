import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createPumpStaging, stagingBatchBytes, type StagedPiece } from './pump-staging';

export interface PumpOptions {
  maxBytes: number;
  signal?: AbortSignal;
  /**
   * Sees every accepted byte, in order (the checksum extension, the running sha256), in shared memory
   * the hash may read in place, on its own thread, until the promise it returns settles.
   */
  hash?: (piece: Buffer) => Promise<unknown>;
  /**
   * Instead of `hash`: sees every accepted byte, in order, as it arrives, and is done with it on
   * return (a hash on this thread). The body is then written from the chunks it came in, not staged.
   */
  hashNow?: (piece: Buffer) => void;
  /** Called after bytes land in the file, with the total written so far. */
  onWritten?: (written: number) => void;
  /**
   * The source's chunks are the pump's alone (an HTTP request body: Node copies every socket read of
   * it into a buffer of its own): each one's memory is freed as soon as it is written or staged. Left
   * to the garbage collector, 1 GiB of them sets off about 30 full collections, by external memory
   * alone.
   */
  releaseChunks?: boolean;
}

export interface PumpResult {
  written: number;
  exceeded: boolean;
  interrupted: boolean;
  error?: NodeJS.ErrnoException;
}

// Batching: chunks that arrive while a write is in flight go out together in one writev,
// so a 1 GiB body costs far fewer syscalls than one write per 64 KiB socket chunk. The pause mark
// leaves room for a sender's 4 MiB socket writes: at 8 MiB the socket paused and resumed often
// enough to cost the receiver about 0.1 s of CPU per GiB.
const pauseAboveBytes = 16 * 1024 * 1024;
const resumeBelowBytes = 2 * 1024 * 1024;
// On abort (another request wants the lock, or shutdown) bytes already on their way are still the
// client's progress: keep taking them until the line is quiet this long, but never longer than the cap.
const releaseQuietMs = 50;
const releaseMaxMs = 1_000;

/**
 * Streams `source` into `handle` with backpressure, up to `maxBytes`. Never throws for the source:
 * a client that vanishes or an abort simply ends the pump with `interrupted`, keeping what was written.
 */
export function pumpToFile(source: Readable, handle: FileHandle, options: PumpOptions): Promise<PumpResult> {
  return new Promise((resolve) => {
    const queue: Buffer[] = [];
    let queuedBytes = 0;
    // A hashed body is staged: copied once into shared batches, which the write and the hash read in
    // place. Any other is written from the chunks it came in.
    const staged: StagedPiece[] = [];
    const staging = options.hash
      ? createPumpStaging({
          write(piece) {
            staged.push(piece);
            queue.push(piece.bytes);
            queuedBytes += piece.bytes.length;
          },
          hash: (piece) => void options.hash!(piece.bytes).then(piece.done, piece.done),
        })
      : undefined;
    /** Memory the pump holds for bytes not yet written (or hashed), which backpressure bounds. */
    const held = () => (staging ? staging.batchesInUse * stagingBatchBytes : queuedBytes);
    let accepted = 0;
    let written = 0;
    let writing = false;
    let sourceDone = false;
    let exceeded = false;
    let interrupted = false;
    let failure: NodeJS.ErrnoException | undefined;
    let settled = false;
    let quietTimer: NodeJS.Timeout | undefined;
    let capTimer: NodeJS.Timeout | undefined;

    const detach = () => {
      // Cleared and forgotten: a late refresh() would re-arm a cleared timer and pause the source again.
      clearTimeout(quietTimer);
      clearTimeout(capTimer);
      quietTimer = capTimer = undefined;
      for (const [event, listener] of listeners) source.off(event, listener);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const finishIfIdle = () => {
      if (settled || writing || (!sourceDone && !failure)) return;
      if (!failure) staging?.sealWrite();
      if (queue.length > 0 && !failure) return void drain();
      settled = true;
      detach();
      if (staging) {
        // Every accepted byte reaches the hash, written or not: what counts is decided by the caller.
        staging.sealAll();
        for (const piece of staged.splice(0)) piece.done();
        queue.length = queuedBytes = 0;
        staging.close();
      }
      resolve({ written, exceeded, interrupted, ...(failure ? { error: failure } : {}) });
    };
    const stopReading = () => {
      sourceDone = true;
      detach();
      source.pause();
    };
    const drain = async () => {
      if (writing) return;
      writing = true;
      // Bytes that came in while the last write was in flight go out together in the next one.
      for (staging?.sealWrite(); queue.length > 0 && !failure; staging?.sealWrite()) {
        const batch = queue.splice(0, queue.length);
        const pieces = staged.splice(0);
        const batchBytes = queuedBytes;
        queuedBytes = 0;
        try {
          await writeAll(handle, batch, batchBytes);
          written += batchBytes;
          options.onWritten?.(written);
        } catch (error) {
          failure = error as NodeJS.ErrnoException;
          stopReading();
        } finally {
          for (const piece of pieces) piece.done();
          if (options.releaseChunks && !staging) for (const chunk of batch) release(chunk);
        }
        resumeIfRoom();
      }
      writing = false;
      finishIfIdle();
    };
    function resumeIfRoom() {
      // Staged, one batch is always held (the one filling): resume once half of the batches are back.
      const resumeBelow = staging ? pauseAboveBytes / 2 : resumeBelowBytes;
      if (!sourceDone && source.isPaused() && held() <= resumeBelow) source.resume();
    }
    if (staging) staging.onFreed = resumeIfRoom;
    function onData(chunk: Buffer) {
      quietTimer?.refresh();
      const room = options.maxBytes - accepted;
      let piece = chunk;
      if (chunk.length > room) {
        piece = chunk.subarray(0, room);
        exceeded = true;
      }
      if (piece.length > 0) {
        accepted += piece.length;
        options.hashNow?.(piece);
        if (!staging) {
          queue.push(piece);
          queuedBytes += piece.length;
        } else {
          staging.add(piece);
          if (options.releaseChunks) release(chunk);
        }
      }
      if (exceeded) stopReading();
      else if (held() > pauseAboveBytes) source.pause();
      if (!writing) void drain();
    }
    function onEnd() {
      sourceDone = true;
      // The whole body arrived (even if an abort came meanwhile): nothing was cut short.
      interrupted = false;
      finishIfIdle();
    }
    /** Takes what a vanished source still buffers: a destroyed stream emits no more 'data', but read() still returns it. */
    function salvage() {
      detach();
      for (
        let chunk = source.read() as Buffer | null;
        chunk !== null && !exceeded;
        chunk = source.read() as Buffer | null
      )
        onData(chunk);
    }
    function onGone() {
      if (sourceDone) return;
      salvage();
      interrupted = true;
      sourceDone = true;
      finishIfIdle();
    }
    function onClose() {
      if (!source.readableEnded) onGone();
    }
    function endRelease() {
      stopReading();
      finishIfIdle();
    }
    function onAbort() {
      interrupted = true;
      quietTimer = setTimeout(endRelease, releaseQuietMs);
      capTimer = setTimeout(endRelease, releaseMaxMs);
    }

    const listeners: [string, Parameters<Readable['on']>[1]][] = [
      ['data', onData],
      ['end', onEnd],
      ['error', onGone],
      ['aborted', onGone],
      ['close', onClose],
    ];
    // The client may have vanished before the pump started: its 'close' already fired and will not again.
    if (source.destroyed) {
      onGone();
      return;
    }
    for (const [event, listener] of listeners) source.on(event, listener);
    options.signal?.addEventListener('abort', onAbort);
    source.resume();
    if (options.signal?.aborted) onAbort();
  });
}

type DetachableMemory = ArrayBuffer & { transfer?(length: number): ArrayBuffer; readonly detached?: boolean };

/**
 * Frees a chunk's memory now by detaching it (ES2024 `transfer(0)`); only a chunk that is the whole
 * of its memory, never a slice of a pool or of a larger buffer.
 */
function release(chunk: Buffer): void {
  const memory = chunk.buffer as DetachableMemory;
  if (!(memory instanceof ArrayBuffer) || chunk.byteOffset !== 0 || memory.byteLength !== chunk.length) return;
  if (memory.detached === false) memory.transfer?.(0);
}

async function writeAll(handle: FileHandle, buffers: Buffer[], total: number): Promise<void> {
  let pending = buffers;
  let remaining = total;
  while (remaining > 0) {
    const { bytesWritten } = await handle.writev(pending);
    remaining -= bytesWritten;
    if (remaining > 0) pending = skipBytes(pending, bytesWritten);
  }
}

function skipBytes(buffers: Buffer[], count: number): Buffer[] {
  let skip = count;
  const rest: Buffer[] = [];
  for (const buffer of buffers) {
    if (skip >= buffer.length) {
      skip -= buffer.length;
      continue;
    }
    rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
    skip = 0;
  }
  return rest;
}
