// What the app benchmark asks of its child (the headless main process) and what
// the child answers. The task goes in argv so start-up is not an IPC wait.

/** How the child persists its queue: the JSON file `npm run send` uses, memory, or electron-store as the app does. */
export type QueueStoreKind = 'json' | 'memory' | 'electron-store';

export type AppTask =
  | {
      mode: 'send';
      /** 'big': one file; 'queue': a folder of many small files, added as one drop. */
      phase: 'big' | 'queue';
      /** A file or a folder, queued through the same adder a drop uses. */
      path: string;
      /** The core's receive folder. */
      receiveDir: string;
      /** Holds the queue file (json, electron-store). */
      stateDir: string;
      queueStore: QueueStoreKind;
    }
  | {
      mode: 'store';
      /** A folder of tiny files: the jobs are what a drop of it makes. */
      dir: string;
      /** Where electron-store keeps its file (the app's userData). */
      stateDir: string;
      jobCounts: number[];
      saves: number;
    };

export interface LoopFigures {
  /** Delay beyond the 10 ms tick, in ms. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  samples: number;
}

export interface PushFigures {
  /** `uploads:changed` and `settings:changed` during the send. */
  count: number;
  bytes: number;
  /** The first `uploads:changed` after the add: every added job, once. */
  firstBytes: number;
  /** Pushes after the first one: only jobs that changed. */
  laterMedianBytes: number;
  laterP95Bytes: number;
  laterMaxBytes: number;
  laterMaxJobs: number;
}

export interface AppResult {
  /** From process start to the core listening, restored and started. */
  startupMs: number;
  /** From the add to the pool idle. */
  sendMs: number;
  bytes: number;
  files: number;
  completed: number;
  /** User + system CPU of the whole process, start-up included. */
  cpuMs: number;
  /** Peak RSS of the whole process (getrusage maxrss). */
  peakRss: number;
  loop: LoopFigures;
  pushes: PushFigures;
  /** Queue saves during the send. */
  saves: number;
}

export interface StoreRow {
  jobs: number;
  /** Bytes of the file one save leaves on disk. */
  bytes: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  /** The part of a save that is JSON work alone: two parses of the old file and a stringify. */
  jsonMs: number;
}

/** Child to parent. 'ready' carries what the window needs to open /ws, and waits for 'go'. */
export type AppMessage =
  | { type: 'ready'; origin: string; token: string }
  | { type: 'result'; result: AppResult }
  | { type: 'store'; rows: StoreRow[] }
  | { type: 'failed'; error: string };

export type ParentToApp = { type: 'go' };
