import { Worker } from 'node:worker_threads';

// Plain JS evaluated in the worker, so it runs the same under tsx, Electron and the built app. The
// files of one message are written with blocking calls (here they block no one), then fsynced side
// by side on the thread pool so their device flushes overlap, then closed and linked under their
// names. A file is linked only after its own fsync succeeded; one that failed is removed. The fs
// module is a parameter so that a test can hand in one that fails on cue.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require(workerData.fsModule);
const { dirname } = require('node:path');
const { O_WRONLY, O_CREAT, O_EXCL } = fs.constants;
const createNew = O_WRONLY | O_CREAT | O_EXCL;
const errorOf = (error) => ({ code: error.code, syscall: error.syscall, message: error.message });
const quietly = (call) => { try { call(); } catch {} };
const openNew = (path) => {
  try {
    return fs.openSync(path, createNew, 0o666);
  } catch (error) {
    // First upload, or the state folder was removed while the receiver ran.
    if (error.code !== 'ENOENT') throw error;
    fs.mkdirSync(dirname(path), { recursive: true });
    return fs.openSync(path, createNew, 0o666);
  }
};
const writeAll = (fd, data, at, size) => {
  // write(2) may store fewer bytes than asked (e.g. just before ENOSPC): on from where it stopped.
  for (let done = 0; done < size; ) {
    const written = fs.writeSync(fd, data, at + done, size - done, done);
    if (written === 0) throw Object.assign(new Error('The disk took no bytes'), { code: 'EIO', syscall: 'write' });
    done += written;
  }
};
const fsync = (fd) => new Promise((resolve, reject) => fs.fsync(fd, (error) => (error ? reject(error) : resolve())));
parentPort.on('message', async ({ id, files, data, durable }) => {
  const bytes = new Uint8Array(data);
  const outcomes = files.map(() => undefined);
  const open = [];
  files.forEach((file, index) => {
    let fd;
    try {
      fd = openNew(file.stagedPath);
      writeAll(fd, bytes, file.at, file.size);
      open.push({ index, fd });
    } catch (error) {
      outcomes[index] = { error: errorOf(error) };
      if (fd !== undefined) {
        quietly(() => fs.closeSync(fd));
        quietly(() => fs.unlinkSync(file.stagedPath));
      }
    }
  });
  if (durable)
    await Promise.all(open.map(({ index, fd }) => fsync(fd).catch((error) => (outcomes[index] = { error: errorOf(error) }))));
  for (const { index, fd } of open) {
    const file = files[index];
    try {
      fs.closeSync(fd);
    } catch (error) {
      outcomes[index] ??= { error: errorOf(error) };
    }
    if (outcomes[index]) {
      quietly(() => fs.unlinkSync(file.stagedPath));
      continue;
    }
    if (file.linkTo === undefined) {
      outcomes[index] = { staged: true };
      continue;
    }
    try {
      fs.linkSync(file.stagedPath, file.linkTo);
    } catch (error) {
      // Taken, its folder gone, or no hard links here: the receiver places the staged file itself.
      outcomes[index] = { staged: true, linkError: error.code };
      continue;
    }
    quietly(() => fs.unlinkSync(file.stagedPath));
    outcomes[index] = { linked: true };
  }
  parentPort.postMessage({ id, outcomes });
});
`;

/** A whole small file to be written, made durable and landed. */
export interface LandingFile {
  /** A new name in the staging folder: created exclusively, the folder made if it is missing. */
  stagedPath: string;
  chunks: readonly Buffer[];
  size: number;
  /** The name to link it under once it is durable; without one it is left staged. */
  linkTo?: string;
}

export type LandingOutcome =
  /** Durable under `linkTo`, and the staged name is gone. */
  | { linked: true }
  /** Durable at `stagedPath`, not linked: the name was taken, its folder gone, or no `linkTo` was given. */
  | { staged: true; linkError?: string }
  /** Nothing of it is left on disk. */
  | { error: NodeJS.ErrnoException };

export interface LandingThread {
  /**
   * Writes the files, fsyncs them (when `durable`), and links each that is durable under its
   * `linkTo`: one message and one answer for them all, in the order given.
   */
  land(files: readonly LandingFile[], durable: boolean): Promise<LandingOutcome[]>;
  close(): Promise<void>;
}

export interface LandingThreadOptions {
  /** The module the thread does its file calls with: `node:fs` unless a test hands in one that fails on cue. */
  fsModule?: string;
}

interface WireOutcome {
  linked?: true;
  staged?: true;
  linkError?: string;
  error?: { code?: string; syscall?: string; message: string };
}

const toOutcome = (wire: WireOutcome): LandingOutcome => {
  if (wire.linked) return { linked: true };
  if (wire.staged) return wire.linkError ? { staged: true, linkError: wire.linkError } : { staged: true };
  const { code, syscall, message } = wire.error!;
  return { error: Object.assign(new Error(message), { code, syscall }) };
};

/**
 * Writes, syncs and links the small files of bulk requests on a thread of its own: for a file of a
 * few KiB, the six promise-based calls it takes (open, write, fsync, close, link, unlink) cost the
 * event loop more than the bytes, and each wakes a pool thread that the loop then waits behind.
 */
export function createLandingThread(options: LandingThreadOptions = {}): LandingThread {
  const workerData = { fsModule: options.fsModule ?? 'node:fs' };
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve(outcomes: LandingOutcome[]): void; reject(error: Error): void }>();

  const failAll = (from: Worker, error: Error) => {
    if (worker !== from) return;
    worker = undefined;
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };
  const start = (): Worker => {
    const started = new Worker(workerSource, { eval: true, workerData });
    // Idle, it must not keep the process alive; files in flight keep it busy anyway.
    started.unref();
    started.on('message', ({ id, outcomes }: { id: number; outcomes: WireOutcome[] }) => {
      const waiting = pending.get(id);
      pending.delete(id);
      if (pending.size === 0) started.unref();
      waiting?.resolve(outcomes.map(toOutcome));
    });
    started.on('error', (error) => failAll(started, error));
    started.on('exit', () => failAll(started, new Error('The landing thread stopped')));
    return started;
  };

  return {
    land(files, durable) {
      if (files.length === 0) return Promise.resolve([]);
      worker ??= start();
      if (pending.size === 0) worker.ref();
      // One buffer for all the files' bytes, moved to the thread rather than copied again.
      const data = Buffer.allocUnsafeSlow(files.reduce((sum, file) => sum + file.size, 0));
      let at = 0;
      const wire = files.map(({ stagedPath, chunks, size, linkTo }) => {
        const start = at;
        for (const chunk of chunks) at += chunk.copy(data, at);
        return { stagedPath, at: start, size, linkTo };
      });
      const id = nextId++;
      const answered = new Promise<LandingOutcome[]>((resolve, reject) => pending.set(id, { resolve, reject }));
      worker.postMessage({ id, files: wire, data: data.buffer, durable }, [data.buffer]);
      return answered;
    },
    async close() {
      const running = worker;
      if (!running) return;
      failAll(running, new Error('The landing thread was closed'));
      await running.terminate();
    },
  };
}
