import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

export interface PumpOptions {
  maxBytes: number;
  signal?: AbortSignal;
  hash?: Hash;
  /** Called after bytes land in the file, with the total written so far. */
  onWritten?: (written: number) => void;
}

export interface PumpResult {
  written: number;
  exceeded: boolean;
  interrupted: boolean;
  error?: NodeJS.ErrnoException;
}

// Batching: chunks that arrive while a write is in flight go out together in one writev,
// so a 1 GiB body costs far fewer syscalls than one write per 64 KiB socket chunk.
const pauseAboveBytes = 8 * 1024 * 1024;
const resumeBelowBytes = 2 * 1024 * 1024;

/**
 * Streams `source` into `handle` with backpressure, up to `maxBytes`. Never throws for the source:
 * a client that vanishes or an abort simply ends the pump with `interrupted`, keeping what was written.
 */
export function pumpToFile(source: Readable, handle: FileHandle, options: PumpOptions): Promise<PumpResult> {
  return new Promise((resolve) => {
    const queue: Buffer[] = [];
    let queuedBytes = 0;
    let accepted = 0;
    let written = 0;
    let writing = false;
    let sourceDone = false;
    let exceeded = false;
    let interrupted = false;
    let failure: NodeJS.ErrnoException | undefined;
    let settled = false;

    const detach = () => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onGone);
      source.off('aborted', onGone);
      source.off('close', onClose);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const finishIfIdle = () => {
      if (settled || writing || (!sourceDone && !failure)) return;
      if (queue.length > 0 && !failure) return;
      settled = true;
      detach();
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
      while (queue.length > 0 && !failure) {
        const batch = queue.splice(0, queue.length);
        const batchBytes = queuedBytes;
        queuedBytes = 0;
        try {
          await writeAll(handle, batch, batchBytes);
          written += batchBytes;
          options.onWritten?.(written);
        } catch (error) {
          failure = error as NodeJS.ErrnoException;
          stopReading();
        }
        if (!sourceDone && source.isPaused() && queuedBytes < resumeBelowBytes) source.resume();
      }
      writing = false;
      finishIfIdle();
    };
    function onData(chunk: Buffer) {
      const room = options.maxBytes - accepted;
      let piece = chunk;
      if (chunk.length > room) {
        piece = chunk.subarray(0, room);
        exceeded = true;
      }
      if (piece.length > 0) {
        options.hash?.update(piece);
        queue.push(piece);
        queuedBytes += piece.length;
        accepted += piece.length;
      }
      if (exceeded) stopReading();
      else if (queuedBytes > pauseAboveBytes) source.pause();
      void drain();
    }
    function onEnd() {
      sourceDone = true;
      finishIfIdle();
    }
    function onGone() {
      interrupted = true;
      sourceDone = true;
      finishIfIdle();
    }
    function onClose() {
      if (!source.readableEnded) onGone();
    }
    function onAbort() {
      interrupted = true;
      stopReading();
      finishIfIdle();
    }

    if (options.signal?.aborted) {
      interrupted = true;
      sourceDone = true;
      finishIfIdle();
      return;
    }
    source.on('data', onData);
    source.on('end', onEnd);
    source.on('error', onGone);
    source.on('aborted', onGone);
    source.on('close', onClose);
    options.signal?.addEventListener('abort', onAbort);
    source.resume();
  });
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
