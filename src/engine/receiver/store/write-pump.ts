import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

export interface PumpOptions {
  maxBytes: number;
  signal?: AbortSignal;
  /** Sees every accepted byte, in order (the checksum extension). */
  hash?: { update(piece: Buffer): void };
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
      quietTimer?.refresh();
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
