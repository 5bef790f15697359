import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errnoCode } from '../../errors';
import { syncDirectory, writeFileAtomic } from '../../fs/atomic-file';

/** A file a bulk request landed under an idempotency key. */
export interface LandedRecord {
  /** Relative to the receive folder, with `/`. */
  path: string;
  size: number;
  /** Lowercase hex. */
  sha256: string;
  /** When it landed, ms since the epoch. */
  at: number;
}

/**
 * Which idempotency keys of bulk requests have landed, and where (`X-Ferry-Features: bulk-upload`).
 * A sender whose answer was lost sends the same keys again: what landed under one is answered from
 * here, never landed a second time. Kept in memory and in a journal in the state folder (one append
 * per request), so a restart of the receiver forgets nothing.
 */
export interface LandedKeys {
  /** What was recorded under `key`, without checking the disk (may be stale). */
  peek(key: string): LandedRecord | undefined;
  /** What landed under `key`, if its file is still there with that size. */
  find(key: string): Promise<LandedRecord | undefined>;
  /** Runs `work` alone for `key`: two requests carrying one key never land it twice. */
  exclusive<T>(key: string, work: () => Promise<T>): Promise<T>;
  record(key: string, landed: LandedRecord): void;
  /** Stores what `record` took since the last call; resolves once it is written (and synced when durable). */
  persist(): Promise<void>;
  /** A part carrying `key` started arriving; call what it returns when the part is settled. */
  begin(key: string): () => void;
  /** Waits, at most `ms`, until no part carrying one of `keys` is arriving; returns those that still are. */
  settled(keys: readonly string[], ms: number): Promise<Set<string>>;
}

export interface LandedKeysDeps {
  /** The receive folder: recorded paths are relative to it. */
  receiveDir: string;
  /** The journal file, in the state folder. */
  journalPath: string;
  durable: boolean;
  /** Keys older than this are forgotten (default a week, as finished tus uploads are kept). */
  retainMs?: number;
  /** The most keys kept; the oldest go first (default 200,000). */
  maxKeys?: number;
  now?: () => number;
}

const week = 7 * 24 * 60 * 60 * 1000;

/** One journal line: short names, as a line is written for every file that lands. */
interface JournalLine {
  k: string;
  p: string;
  s: number;
  h: string;
  t: number;
}

function parseLine(line: string): JournalLine | undefined {
  try {
    const value = JSON.parse(line) as Partial<JournalLine>;
    const fine =
      typeof value.k === 'string' &&
      typeof value.p === 'string' &&
      typeof value.s === 'number' &&
      typeof value.h === 'string' &&
      typeof value.t === 'number';
    return fine ? (value as JournalLine) : undefined;
  } catch {
    // A line cut short by a crash mid-append.
    return undefined;
  }
}

const lineOf = (key: string, r: LandedRecord) =>
  `${JSON.stringify({ k: key, p: r.path, s: r.size, h: r.sha256, t: r.at } satisfies JournalLine)}\n`;

export function createLandedKeys(deps: LandedKeysDeps): LandedKeys {
  const retainMs = deps.retainMs ?? week;
  const maxKeys = deps.maxKeys ?? 200_000;
  const now = deps.now ?? Date.now;
  /** In landing order (a re-recorded key moves to the end), so the oldest is first to go. */
  const records = new Map<string, LandedRecord>();
  const locks = new Map<string, Promise<unknown>>();
  const arriving = new Map<string, number>();
  const waiters = new Set<() => void>();
  let pending: string[] = [];
  let journalLines = 0;
  let writing: Promise<void> = Promise.resolve();
  let loading: Promise<void> | undefined;

  const keep = (key: string, record: LandedRecord) => {
    records.delete(key);
    records.set(key, record);
    while (records.size > maxKeys) records.delete(records.keys().next().value!);
  };
  const expired = (record: LandedRecord) => record.at < now() - retainMs;

  /** The journal as it is, rewritten without what is forgotten when that is most of it. */
  async function load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(deps.journalPath, 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return;
      throw error;
    }
    for (const line of text.split('\n')) {
      if (!line) continue;
      journalLines += 1;
      const entry = parseLine(line);
      if (entry) keep(entry.k, { path: entry.p, size: entry.s, sha256: entry.h, at: entry.t });
    }
    for (const [key, record] of records) if (expired(record)) records.delete(key);
    if (journalLines > records.size) await compact();
  }
  const ready = () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };

  async function compact(): Promise<void> {
    const text = [...records].map(([key, record]) => lineOf(key, record)).join('');
    await mkdir(dirname(deps.journalPath), { recursive: true });
    await writeFileAtomic(deps.journalPath, text, deps.durable);
    journalLines = records.size;
  }

  async function append(text: string, lines: number): Promise<void> {
    const create = async () => open(deps.journalPath, 'a');
    let handle;
    let created = false;
    try {
      handle = await create();
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
      await mkdir(dirname(deps.journalPath), { recursive: true });
      handle = await create();
      created = true;
    }
    try {
      await handle.write(text);
      if (deps.durable) await handle.datasync();
    } finally {
      await handle.close();
    }
    if (created && deps.durable) await syncDirectory(dirname(deps.journalPath));
    journalLines += lines;
    // Forgotten keys still fill the journal: write it anew once they are most of it.
    if (journalLines > 2 * Math.max(records.size, 1024)) await compact();
  }

  return {
    peek: (key) => records.get(key),
    async find(key) {
      await ready();
      const record = records.get(key);
      if (!record) return undefined;
      const info = await stat(join(deps.receiveDir, record.path)).catch(() => undefined);
      // Deleted (or replaced) since it landed: no answer to "send this file", it lands again.
      if (expired(record) || !info?.isFile() || info.size !== record.size) {
        records.delete(key);
        return undefined;
      }
      return record;
    },
    exclusive(key, work) {
      const before = locks.get(key) ?? Promise.resolve();
      const turn = before.then(work, work);
      const tail = turn.catch(() => undefined);
      locks.set(key, tail);
      void tail.then(() => {
        if (locks.get(key) === tail) locks.delete(key);
      });
      return turn;
    },
    record(key, landed) {
      keep(key, landed);
      pending.push(lineOf(key, landed));
    },
    persist() {
      if (pending.length === 0) return writing;
      const lines = pending;
      pending = [];
      // One writer at a time, in order; a failed write loses only its lines (the files landed anyway).
      writing = writing.then(() => ready().then(() => append(lines.join(''), lines.length)));
      const mine = writing;
      writing = writing.catch(() => undefined);
      return mine;
    },
    begin(key) {
      arriving.set(key, (arriving.get(key) ?? 0) + 1);
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        const left = (arriving.get(key) ?? 1) - 1;
        if (left > 0) arriving.set(key, left);
        else arriving.delete(key);
        for (const wake of waiters) wake();
      };
    },
    async settled(keys, ms) {
      const deadline = now() + ms;
      const busy = () => new Set(keys.filter((key) => arriving.has(key)));
      for (let still = busy(); ; still = busy()) {
        const left = deadline - now();
        if (still.size === 0 || left <= 0) return still;
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            waiters.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, left);
          waiters.add(wake);
        });
      }
    },
  };
}
