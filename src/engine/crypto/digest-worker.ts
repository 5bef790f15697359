import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { digestFile, feedFile } from './file-digest';
import { copyInto, sharedBatches } from './shared-batches';

// Plain JS evaluated in the worker, so it runs the same under tsx, Electron and the built app.
const workerSource = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const sessions = new Map();
parentPort.on('message', (message) => {
  const { id, type } = message;
  if (type === 'once') {
    const digest = createHash(message.algorithm).update(new Uint8Array(message.bytes, message.offset, message.length)).digest();
    parentPort.postMessage({ id, digest });
  } else if (type === 'start') sessions.set(id, createHash(message.algorithm));
  else if (type === 'copy') {
    const from = sessions.get(message.from);
    sessions.set(id, from ? from.copy() : createHash(message.algorithm));
  }
  else if (type === 'data') {
    sessions.get(id)?.update(new Uint8Array(message.bytes, message.offset, message.length));
    if (message.ack !== undefined) parentPort.postMessage({ ack: message.ack });
  }
  else if (type === 'end') {
    const hash = sessions.get(id);
    sessions.delete(id);
    parentPort.postMessage({ id, digest: hash ? hash.digest() : null });
  } else if (type === 'drop') sessions.delete(id);
});
`;

export type DigestAlgorithm = 'sha1' | 'sha256' | 'md5';

/** One running digest; `update` never blocks the caller's event loop. */
export interface DigestSession {
  /** Copied at once into a shared batch the thread reads in place: the caller may reuse its buffer. */
  update(piece: Uint8Array): void;
  /**
   * A piece in shared memory, read in place by the worker: no copy. Resolves once it has been hashed;
   * the caller must not overwrite that memory before then.
   */
  updateShared(piece: Uint8Array): Promise<void>;
  /** Hands pieces held back for batching to the worker now. */
  flush(): void;
  /**
   * A second session that continues from this one's state as it stands (a checkpoint): both go on
   * independently. Costs one message; no bytes are hashed twice.
   */
  fork(): DigestSession;
  finish(): Promise<Buffer>;
  drop(): void;
}

export interface DigestWorker {
  /** Hashes on the caller's thread as `update` is called: shared memory buys nothing, plain buffers will do. */
  readonly inline?: boolean;
  start(algorithm: DigestAlgorithm): DigestSession;
  /** One-shot digest of a buffer; shared-memory buffers are read in place, others are copied. */
  digest(algorithm: DigestAlgorithm, buffer: Uint8Array): Promise<Buffer>;
  /** Digest of a file's contents (its first `length` bytes, if given), streamed from disk. */
  digestFile(algorithm: DigestAlgorithm, path: string, signal?: AbortSignal, length?: number): Promise<Buffer>;
  /** Feeds `length` bytes of a file from `start` into a running session; resolves with the bytes fed. */
  feedFile(
    session: DigestSession,
    path: string,
    range: { start: number; length: number },
    signal?: AbortSignal,
  ): Promise<number>;
  /**
   * Bytes handed to a hash so far, every session and one-shot digest together (pieces dropped before
   * they crossed to the thread are not counted): what shows each byte is hashed once per side.
   */
  readonly hashedBytes: number;
  close(): Promise<void>;
}

/** A thread started ahead of need by `prestartDigestThread`, for the next digest worker to take. */
let prestarted: Worker | undefined;

const spawnThread = () => new Worker(workerSource, { eval: true });

/**
 * Starts a digest thread now, for the next `createDigestWorker` to take on first use. A thread takes
 * about 55 ms of CPU to boot; started while the caller still loads and prepares, it boots on an idle
 * core instead of holding up the first bytes. Unused, it keeps no process alive.
 */
export function prestartDigestThread(): void {
  if (prestarted) return;
  const thread = spawnThread();
  thread.unref();
  // Until a digest worker takes it, a thread that fails is simply not taken.
  thread.once('error', () => {
    if (prestarted === thread) prestarted = undefined;
  });
  prestarted = thread;
}

/** Pieces are gathered to this size before crossing to the worker: fewer messages, one copy. */
const batchBytes = 1024 * 1024;

const inlineBytes = 64 * 1024;

/**
 * Hashes on a worker thread: sha256 costs about 1.5 s of CPU per GiB, which on the main thread would
 * stall every socket the process serves.
 */
export function createDigestWorker(): DigestWorker {
  let worker: Worker | undefined;
  let nextId = 0;
  const waiting = new Map<number, { resolve: (digest: Buffer) => void; reject: (error: Error) => void }>();
  const acks = new Map<number, () => void>();
  let nextAck = 0;
  let hashedBytes = 0;
  const batches = sharedBatches(batchBytes);

  function thread(): Worker {
    if (worker) return worker;
    const created = prestarted ?? spawnThread();
    prestarted = undefined;
    created.unref();
    created.on('message', ({ id, digest, ack }: { id: number; digest: Uint8Array | null; ack?: number }) => {
      if (ack !== undefined) {
        acks.get(ack)?.();
        acks.delete(ack);
        return;
      }
      const waiter = waiting.get(id);
      waiting.delete(id);
      if (digest) waiter?.resolve(Buffer.from(digest));
      else waiter?.reject(new Error('Unknown digest session'));
    });
    created.on('error', (error) => {
      worker = undefined;
      failAll(error);
    });
    worker = created;
    return created;
  }

  /** The thread is gone: every digest waiting on it fails, and every shared piece is free again. */
  function failAll(error: Error): void {
    for (const waiter of waiting.values()) waiter.reject(error);
    waiting.clear();
    for (const release of acks.values()) release();
    acks.clear();
  }

  function finish(id: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      thread().postMessage({ id, type: 'end' });
    });
  }

  /** One message there, one back: for bodies small enough to hash in a single piece. */
  function digestOnce(algorithm: DigestAlgorithm, buffer: Uint8Array, id: number): Promise<Buffer> {
    hashedBytes += buffer.length;
    // A small body hashes in tens of microseconds, less than the round trip to the worker costs.
    if (buffer.length <= inlineBytes) return Promise.resolve(createHash(algorithm).update(buffer).digest());
    const worker = thread();
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      if (buffer.buffer instanceof SharedArrayBuffer)
        worker.postMessage({
          id,
          type: 'once',
          algorithm,
          bytes: buffer.buffer,
          offset: buffer.byteOffset,
          length: buffer.length,
        });
      else {
        const copy = new Uint8Array(buffer);
        worker.postMessage({ id, type: 'once', algorithm, bytes: copy.buffer, offset: 0, length: copy.length }, [
          copy.buffer as ArrayBuffer,
        ]);
      }
    });
  }

  /** Hands a piece of shared memory to the thread; resolves once it has been hashed. */
  function sendShared(id: number, piece: Uint8Array): Promise<void> {
    hashedBytes += piece.length;
    const ack = nextAck++;
    return new Promise<void>((resolve) => {
      acks.set(ack, resolve);
      thread().postMessage({
        id,
        type: 'data',
        bytes: piece.buffer,
        offset: piece.byteOffset,
        length: piece.length,
        ack,
      });
    });
  }

  /** A session; `copyOf` makes it start from another started session's state. */
  function openSession(algorithm: DigestAlgorithm, copyOf?: number): DigestSession {
    const id = nextId++;
    // Pieces are copied into a shared batch, which the thread reads in place and gives back: no
    // allocation per batch, so bytes streaming through cost the garbage collector nothing.
    let batch: Buffer | undefined;
    let filled = 0;
    // The worker hears of a session only when bytes must cross: a small body costs one message.
    let started = false;
    if (copyOf !== undefined) {
      started = true;
      thread().postMessage({ id, type: 'copy', from: copyOf, algorithm });
    }
    const begin = () => {
      if (started) return;
      started = true;
      thread().postMessage({ id, type: 'start', algorithm });
    };
    const flush = () => {
      if (!batch || filled === 0) return;
      begin();
      const full = batch;
      void sendShared(id, full.subarray(0, filled)).then(() => batches.give(full));
      batch = undefined;
      filled = 0;
    };
    return {
      update(piece) {
        for (let at = 0; at < piece.length;) {
          batch ??= batches.take();
          const taken = Math.min(piece.length - at, batch.length - filled);
          copyInto(batch, piece.subarray(at, at + taken), filled);
          filled += taken;
          at += taken;
          if (filled === batch.length) flush();
        }
      },
      updateShared(piece) {
        if (!(piece.buffer instanceof SharedArrayBuffer)) {
          this.update(piece);
          return Promise.resolve();
        }
        flush();
        begin();
        return sendShared(id, piece);
      },
      flush,
      fork() {
        flush();
        // Nothing hashed yet: an empty session is the same state.
        return started ? openSession(algorithm, id) : openSession(algorithm);
      },
      finish() {
        if (!started) {
          const held = batch;
          batch = undefined;
          if (!held) return digestOnce(algorithm, Buffer.alloc(0), id);
          return digestOnce(algorithm, held.subarray(0, filled), id).finally(() => batches.give(held));
        }
        flush();
        return finish(id);
      },
      drop() {
        if (batch) batches.give(batch);
        batch = undefined;
        filled = 0;
        if (started) worker?.postMessage({ id, type: 'drop' });
      },
    };
  }

  const api: DigestWorker = {
    start: (algorithm) => openSession(algorithm),
    digest: (algorithm, buffer) => digestOnce(algorithm, buffer, nextId++),
    digestFile: (algorithm, path, signal, length) => digestFile(api.start(algorithm), path, signal, length),
    feedFile,
    get hashedBytes() {
      return hashedBytes;
    },
    async close() {
      const running = worker;
      worker = undefined;
      failAll(new Error('Digest worker closed'));
      if (running) await running.terminate();
    },
  };
  return api;
}
