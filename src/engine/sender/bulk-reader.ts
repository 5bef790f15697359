import { Worker } from 'node:worker_threads';
import { SourceChangedError } from './sender-errors';

// Plain JS evaluated in the worker, so it runs the same under tsx, Electron and the built app. A
// small file is read whole with blocking calls (here they block no one), checked to be the file that
// was queued, and hashed; its bytes come back as a transferred buffer, not a copy.
const workerSource = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const same = (info, size, mtimeMs) => info.size === size && Math.trunc(info.mtimeMs) === Math.trunc(mtimeMs);
const readOne = ({ id, path, size, mtimeMs }) => {
  try {
    const data = Buffer.allocUnsafeSlow(size);
    const fd = fs.openSync(path, 'r');
    let unchanged;
    try {
      let filled = 0;
      for (let n = 1; filled < size && n > 0; filled += n) n = fs.readSync(fd, data, filled, size - filled, filled);
      // After reading, not before: any write up to now shows in size or mtime, on the handle (in place)
      // or at the path (saved by rename).
      const atPath = fs.statSync(path, { throwIfNoEntry: false });
      unchanged = filled === size && same(fs.fstatSync(fd), size, mtimeMs) && atPath && same(atPath, size, mtimeMs);
    } finally {
      fs.closeSync(fd);
    }
    if (!unchanged) return parentPort.postMessage({ id, changed: true });
    const sha256 = createHash('sha256').update(data).digest('hex');
    parentPort.postMessage({ id, data, sha256 }, [data.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: { code: error.code, message: error.message } });
  }
};
// A batch's files in one message, each answered as soon as it is read.
parentPort.on('message', (files) => files.forEach(readOne));
`;

export interface SmallFile {
  data: Buffer;
  /** Lowercase hex. */
  sha256: string;
}

export interface SmallSource {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface BulkReader {
  /**
   * Each whole file and its sha256, in order, each one as soon as it is read, if it is still the
   * file that was queued (size, mtime); otherwise that one rejects with SourceChangedError.
   */
  read(sources: readonly SmallSource[]): Promise<SmallFile>[];
  /** Starts the thread ahead of the first read (it takes tens of ms to boot), e.g. while OPTIONS is asked. */
  warm(): void;
  close(): Promise<void>;
}

interface Answer {
  id: number;
  data?: Uint8Array;
  sha256?: string;
  changed?: true;
  error?: { code?: string; message: string };
}

/**
 * Reads the files of bulk requests on a thread of its own: for a file of a few KiB, the five
 * promise-based calls a read takes (open, read, two stats, close) cost the event loop more than the
 * read itself, and blocking calls must not run where sockets are served.
 */
export function createBulkReader(): BulkReader {
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, { path: string; resolve(file: SmallFile): void; reject(error: Error): void }>();

  const failAll = (from: Worker, error: Error) => {
    if (worker !== from) return;
    worker = undefined;
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };
  const start = (): Worker => {
    const started = new Worker(workerSource, { eval: true });
    // Idle, it must not keep the process alive; reads in flight keep it busy anyway.
    started.unref();
    started.on('message', (answer: Answer) => {
      const waiting = pending.get(answer.id);
      if (!waiting) return;
      pending.delete(answer.id);
      if (pending.size === 0) started.unref();
      if (answer.changed) return waiting.reject(new SourceChangedError(waiting.path));
      if (answer.error)
        return waiting.reject(Object.assign(new Error(answer.error.message), { code: answer.error.code }));
      const data = Buffer.from(answer.data!.buffer, answer.data!.byteOffset, answer.data!.byteLength);
      waiting.resolve({ data, sha256: answer.sha256! });
    });
    started.on('error', (error) => failAll(started, error));
    started.on('exit', () => failAll(started, new Error('The file reader stopped')));
    return started;
  };

  return {
    warm() {
      worker ??= start();
    },
    read(sources) {
      worker ??= start();
      if (pending.size === 0) worker.ref();
      const asked = sources.map(({ path, size, mtimeMs }) => ({ id: nextId++, path, size, mtimeMs }));
      const answers = asked.map(
        ({ id, path }) => new Promise<SmallFile>((resolve, reject) => pending.set(id, { path, resolve, reject })),
      );
      worker.postMessage(asked);
      return answers;
    },
    async close() {
      const running = worker;
      if (!running) return;
      failAll(running, new Error('The file reader was closed'));
      await running.terminate();
    },
  };
}
