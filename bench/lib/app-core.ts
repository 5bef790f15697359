// The headless main process: the core and the window pushes exactly as
// src/main/index.ts composes them, with the IPC send replaced by a counter.
import { join } from 'node:path';
import { pino } from 'pino';
import { createJsonFilePersistence, createMemoryPersistence, type QueuePersistence } from '../../src/engine/sender';
import { connectPushes, type CorePushes } from '../../src/main/core/core-pushes';
import { createFerryCore, type FerryCore } from '../../src/main/core/ferry-core';
import { createMemoryKeyValueStore } from '../../src/main/core/key-value-store';
import { appOrigin } from '../../src/main/core/renderer-files';
import { createElectronStorePersistence } from '../../src/main/electron-store-persistence';
import type { PushPayload, PushChannel } from '../../src/shared/ipc/contract';
import type { PushFigures, QueueStoreKind } from './app-protocol';
import { openQueueStore } from './app-store';
import { percentile } from './percentile';

export interface PushCounter {
  push<C extends PushChannel>(channel: C, payload: PushPayload<C>): void;
  /** Counts from now on; pushes before (the restore at start-up) are serialized but not counted. */
  start(): void;
  figures(): PushFigures;
}

/** Serializes every push as IPC would (main pays for it either way) and keeps its size. */
export function createPushCounter(): PushCounter {
  const sizes: number[] = [];
  const jobs: number[] = [];
  let counting = false;
  let first = -1;
  return {
    push(channel, payload) {
      const bytes = Buffer.byteLength(JSON.stringify(payload));
      if (!counting) return;
      const change = channel === 'uploads:changed' ? (payload as PushPayload<'uploads:changed'>) : undefined;
      const changed = change ? change.jobs.length + (change.patches?.length ?? 0) : 0;
      if (first < 0 && channel === 'uploads:changed') first = sizes.length;
      sizes.push(bytes);
      jobs.push(changed);
    },
    start() {
      counting = true;
    },
    figures() {
      const later = sizes.filter((_, i) => i !== first);
      const laterJobs = jobs.filter((_, i) => i !== first);
      return {
        count: sizes.length,
        bytes: sizes.reduce((sum, n) => sum + n, 0),
        firstBytes: first < 0 ? 0 : sizes[first]!,
        laterMedianBytes: percentile(later, 50),
        laterP95Bytes: percentile(later, 95),
        laterMaxBytes: later.length ? Math.max(...later) : 0,
        laterMaxJobs: laterJobs.length ? Math.max(...laterJobs) : 0,
      };
    },
  };
}

export interface HeadlessMain {
  core: FerryCore;
  pushes: CorePushes;
  counter: PushCounter;
  /** Queue saves so far. */
  saves(): number;
}

function queuePersistence(kind: QueueStoreKind, stateDir: string): QueuePersistence {
  if (kind === 'memory') return createMemoryPersistence();
  if (kind === 'json') return createJsonFilePersistence(join(stateDir, 'queue.json'));
  return createElectronStorePersistence(openQueueStore(stateDir), { journalPath: join(stateDir, 'queue.journal') });
}

/** Settings in memory (defaults: embedded target, 4 files at once, 8 MiB chunks, durable receiver). */
export function composeHeadlessMain(options: {
  receiveDir: string;
  stateDir: string;
  queueStore: QueueStoreKind;
}): HeadlessMain {
  const inner = queuePersistence(options.queueStore, options.stateDir);
  let saves = 0;
  const counted: QueuePersistence = {
    load: () => inner.load(),
    save(state) {
      saves += 1;
      return inner.save(state);
    },
    // Passed on when the store has it: the queue then writes only what changed, as in the app.
    ...(inner.saveChanges
      ? { saveChanges: (changes, current) => ((saves += 1), inner.saveChanges!(changes, current)) }
      : {}),
  };
  // Main logs to a file without blocking; so does this.
  const logger = pino(
    { level: 'info' },
    pino.destination({ dest: join(options.stateDir, 'ferry.log'), mkdir: true, sync: false }),
  );
  const core = createFerryCore({
    settings: createMemoryKeyValueStore(),
    queuePersistence: counted,
    defaultReceiveFolder: options.receiveDir,
    windowOrigins: [appOrigin],
    logger,
  });
  const counter = createPushCounter();
  const pushes = connectPushes(core, (channel, payload) => counter.push(channel, payload));
  return { core, pushes, counter, saves: () => saves };
}
