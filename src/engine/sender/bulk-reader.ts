import { Worker } from 'node:worker_threads';
import { SourceChangedError } from './sender-errors';

// Plain JS evaluated in the worker, so it runs the same under tsx, Electron and the built app. A
// small file is read whole with blocking calls (here they block no one), checked to be the file that
// was queued, and hashed. Files that follow one another are read into one buffer and answered in one
// message, the buffer transferred, not copied: answered one by one, each file became a piece of its
// own on the socket (the sender outpaces this thread), and each piece costs a write and a pass through
// the streams. A group is cut short after a few ms, so slow reads still go out as they come.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const { groupBytes, groupMs } = workerData;
const same = (info, size, mtimeMs) => info.size === size && Math.trunc(info.mtimeMs) === Math.trunc(mtimeMs);
const readOne = ({ id, path, size, mtimeMs }, data, at) => {
  try {
    const fd = fs.openSync(path, 'r');
    let unchanged;
    try {
      let filled = 0;
      for (let n = 1; filled < size && n > 0; filled += n) n = fs.readSync(fd, data, at + filled, size - filled, filled);
      // After reading, not before: any write up to now shows in size or mtime, on the handle (in place)
      // or at the path (saved by rename).
      const atPath = fs.statSync(path, { throwIfNoEntry: false });
      unchanged = filled === size && same(fs.fstatSync(fd), size, mtimeMs) && atPath && same(atPath, size, mtimeMs);
    } finally {
      fs.closeSync(fd);
    }
    if (!unchanged) return { id, changed: true };
    return { id, at, sha256: createHash('sha256').update(data.subarray(at, at + size)).digest('hex') };
  } catch (error) {
    return { id, error: { code: error.code, message: error.message } };
  }
};
// A batch's files in one message; answered a group at a time, each group as soon as it is read.
parentPort.on('message', (files) => {
  for (let start = 0; start < files.length; ) {
    let end = start + 1;
    let bytes = files[start].size;
    while (end < files.length && bytes + files[end].size <= groupBytes) bytes += files[end++].size;
    const data = Buffer.allocUnsafeSlow(bytes);
    const answers = [];
    const began = performance.now();
    for (let at = 0; start < end; start++) {
      answers.push(readOne(files[start], data, at));
      at += files[start].size;
      if (performance.now() - began >= groupMs) {
        start++;
        break;
      }
    }
    parentPort.postMessage({ answers, data }, [data.buffer]);
  }
});
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

/** A file being read. */
export interface PendingFile {
  file: Promise<SmallFile>;
  /**
   * True once `file` has settled, already when its first reaction runs: the files of one group all
   * read as ready to the one who awaits the first of them (a `then` on each would not, yet).
   */
  readonly ready: boolean;
}

export interface BulkReader {
  /**
   * Each whole file and its sha256, in order, each one as soon as it is read, if it is still the
   * file that was queued (size, mtime); otherwise that one rejects with SourceChangedError.
   */
  read(sources: readonly SmallSource[]): PendingFile[];
  /** Starts the thread ahead of the first read (it takes tens of ms to boot), e.g. while OPTIONS is asked. */
  warm(): void;
  close(): Promise<void>;
}

interface Answer {
  id: number;
  /** Where its bytes start in the group's buffer. */
  at?: number;
  sha256?: string;
  changed?: true;
  error?: { code?: string; message: string };
}

/** Files read one after another, in one buffer. */
interface GroupAnswer {
  answers: Answer[];
  data: Uint8Array;
}

export interface BulkReaderOptions {
  /** Files are answered together up to this many bytes (about a joined piece, see bulk-body.ts). */
  groupBytes?: number;
  /** A group is answered once reading it took this long, however small. */
  groupMs?: number;
}

interface Waiting {
  path: string;
  size: number;
  pending: { ready: boolean };
  resolve(file: SmallFile): void;
  reject(error: Error): void;
}

/**
 * Reads the files of bulk requests on a thread of its own: for a file of a few KiB, the five
 * promise-based calls a read takes (open, read, two stats, close) cost the event loop more than the
 * read itself, and blocking calls must not run where sockets are served.
 */
export function createBulkReader(options: BulkReaderOptions = {}): BulkReader {
  const workerData = { groupBytes: options.groupBytes ?? 256 * 1024, groupMs: options.groupMs ?? 4 };
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, Waiting>();

  const failAll = (from: Worker, error: Error) => {
    if (worker !== from) return;
    worker = undefined;
    for (const waiting of pending.values()) {
      waiting.pending.ready = true;
      waiting.reject(error);
    }
    pending.clear();
  };
  const start = (): Worker => {
    const started = new Worker(workerSource, { eval: true, workerData });
    // Idle, it must not keep the process alive; reads in flight keep it busy anyway.
    started.unref();
    const settle = (answer: Answer, group: Uint8Array) => {
      const waiting = pending.get(answer.id);
      if (!waiting) return;
      pending.delete(answer.id);
      waiting.pending.ready = true;
      if (answer.changed) return waiting.reject(new SourceChangedError(waiting.path));
      if (answer.error)
        return waiting.reject(Object.assign(new Error(answer.error.message), { code: answer.error.code }));
      const data = Buffer.from(group.buffer, group.byteOffset + answer.at!, waiting.size);
      waiting.resolve({ data, sha256: answer.sha256! });
    };
    started.on('message', ({ answers, data }: GroupAnswer) => {
      for (const answer of answers) settle(answer, data);
      if (pending.size === 0) started.unref();
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
      const answers = asked.map(({ id, path, size }) => {
        const one = { ready: false } as { ready: boolean; file: Promise<SmallFile> };
        one.file = new Promise<SmallFile>((resolve, reject) =>
          pending.set(id, { path, size, pending: one, resolve, reject }),
        );
        // Handled here: a body that stops early never awaits the rest.
        one.file.catch(() => undefined);
        return one;
      });
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
