import { mkdir, open, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as z from 'zod';
import { UploadJob } from '../../shared/upload-job';
import { writeFileAtomic } from '../fs/atomic-file';
import { createReplay, type PersistedQueue, type QueueChanges, type QueuePersistence } from './queue-changes';

/** Where the whole queue lives between compactions: a JSON file, or an electron-store key. */
export interface SnapshotStore {
  /** The stored queue and its generation, or undefined when there is none (or it was unreadable). */
  read(): Promise<{ jobs: UploadJob[]; generation: number; bytes: number } | undefined>;
  /** Stores the whole queue atomically; returns the bytes written. */
  write(snapshot: { version: 1; generation: number; jobs: UploadJob[] }): Promise<number>;
}

/** The journal does not grow past the snapshot's size (or this, for a small queue) before it is folded in. */
const minJournalBytes = 64 * 1024;

const JournalEntry = z.object({
  generation: z.number(),
  jobs: z.array(z.unknown()),
  removed: z.array(z.string()),
  order: z.array(z.string()).optional(),
});

/**
 * A snapshot of the whole queue plus an append-only journal of changed jobs (one JSON line per save,
 * fsynced), so a save writes what changed. Once the journal outgrows the snapshot, a new snapshot
 * is written and the journal starts over: writes stay proportional to changes, amortized.
 * Journal lines carry the snapshot's generation: after a kill between writing a new snapshot and
 * emptying the journal, the old lines are not replayed over the newer snapshot. A torn last line (a
 * kill during an append) is dropped.
 */
export function createJournaledPersistence(
  snapshot: SnapshotStore,
  journalPath: string,
  keepAside: (text: string) => Promise<void>,
): QueuePersistence {
  let generation = 0;
  let snapshotBytes = 0;
  let journalBytes = 0;
  // Until the stored queue is read, this port does not know what its journal applies to: the first
  // save then replaces everything, as a whole save always did.
  let loaded = false;

  async function compact(state: PersistedQueue): Promise<void> {
    const next = generation + 1;
    snapshotBytes = await snapshot.write({ version: 1, generation: next, jobs: state.jobs });
    generation = next;
    loaded = true;
    // Lines of the old generation are ignored from now on; emptying the file only frees the space.
    journalBytes = await truncate(journalPath, 0).then(
      () => 0,
      (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? 0 : journalBytes),
    );
  }

  async function readJournal(): Promise<string> {
    try {
      return await readFile(journalPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw error;
    }
  }

  return {
    async load() {
      const stored = await snapshot.read();
      generation = stored?.generation ?? 0;
      snapshotBytes = stored?.bytes ?? 0;
      const text = await readJournal();
      const replay = createReplay(stored?.jobs ?? []);
      const lines = text.split('\n');
      // Text after the last newline is an append a kill cut short: cut it off, or the next line would join it.
      const whole = text.endsWith('\n') ? text.length : text.lastIndexOf('\n') + 1;
      journalBytes = Buffer.byteLength(text.slice(0, whole));
      // Where it cannot be cut, the first save writes a new snapshot instead of appending.
      const cut =
        whole === text.length ||
        (await truncate(journalPath, journalBytes).then(
          () => true,
          () => false,
        ));
      let unreadable = false;
      for (const line of lines.slice(0, lines.length - 1)) {
        const entry = parseLine(line);
        if (!entry) {
          unreadable = true;
          break;
        }
        if (entry.generation === generation) replay.apply(entry);
      }
      loaded = cut;
      const jobs = replay.result();
      if (unreadable) {
        // A damaged journal: keep a copy, and fold what could be read into a new snapshot.
        await keepAside(text);
        await compact({ version: 1, jobs });
      }
      return stored || journalBytes > 0 ? { version: 1, jobs } : undefined;
    },
    save: compact,
    async saveChanges(changes, current) {
      const line = `${JSON.stringify({ generation, ...changes })}\n`;
      const bytes = Buffer.byteLength(line);
      // No snapshot yet (a first save), or the journal would outgrow it: a new snapshot instead.
      if (!loaded || snapshotBytes === 0 || journalBytes + bytes > Math.max(snapshotBytes, minJournalBytes))
        return compact(current());
      try {
        const handle = await open(journalPath, 'a');
        try {
          await handle.writeFile(line);
          await handle.sync();
        } finally {
          await handle.close();
        }
      } catch (error) {
        // Part of the line may be in the file (a full disk): the next save starts a new snapshot
        // rather than append after it.
        loaded = false;
        throw error;
      }
      journalBytes += bytes;
    },
  };
}

/** One journal line; jobs that no longer parse are left out rather than failing the line. */
function parseLine(line: string): (QueueChanges & { generation: number }) | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  const entry = JournalEntry.safeParse(raw);
  if (!entry.success) return undefined;
  const jobs = entry.data.jobs.flatMap((job) => {
    const parsed = UploadJob.safeParse(job);
    return parsed.success ? [parsed.data] : [];
  });
  return {
    generation: entry.data.generation,
    jobs,
    removed: entry.data.removed,
    ...(entry.data.order ? { order: entry.data.order } : {}),
  };
}

/** A snapshot in a JSON file, written atomically and durably. */
export function fileSnapshot(
  path: string,
  parse: (text: string) => Promise<{ jobs: UploadJob[]; generation: number } | undefined>,
): SnapshotStore {
  return {
    async read() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      const parsed = await parse(text);
      return parsed && { ...parsed, bytes: Buffer.byteLength(text) };
    },
    async write(state) {
      await mkdir(dirname(path), { recursive: true });
      let bytes = 0;
      await writeFileAtomic(
        path,
        (function* () {
          for (const piece of snapshotPieces(state)) {
            bytes += Buffer.byteLength(piece);
            yield piece;
          }
        })(),
        true,
      );
      return bytes;
    },
  };
}

/** Jobs per piece of a snapshot's text. */
const piecesOf = 1000;

/**
 * The snapshot's JSON (what JSON.stringify gives) in pieces of `piecesOf` jobs: written one after
 * another, a queue of 100,000 jobs never becomes one 40 MB string and its 40 MB buffer, which would
 * leave the heap grown for good.
 */
function* snapshotPieces(state: { version: 1; generation: number; jobs: UploadJob[] }): Generator<string> {
  yield `{"version":${state.version},"generation":${state.generation},"jobs":[`;
  for (let start = 0; start < state.jobs.length; start += piecesOf) {
    const piece = JSON.stringify(state.jobs.slice(start, start + piecesOf));
    yield `${start === 0 ? '' : ','}${piece.slice(1, -1)}`;
  }
  yield ']}';
}
