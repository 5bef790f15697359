// What the sender benchmark asks of a sender child, and what the child answers.
// Everything crosses IPC as JSON, so "no chunking" is null rather than Infinity.

export type SenderKind = 'ferry' | 'tus-js';

/** One sender configuration under test. */
export interface SenderVariant {
  id: string;
  label: string;
  kind: SenderKind;
  /** Bytes per PATCH; null sends the whole file in one request (tus-js-client `chunkSize: Infinity`). */
  chunkSize: number | null;
  /** Ferry only: chunks in flight per file (above 1 uses tus concatenation). */
  parallel: number;
  /** Ferry only: sha256 per chunk through the checksum extension. */
  checksum: boolean;
  /** tus-js-client only: `uploadDataDuringCreation` (Ferry decides this by itself). */
  dataInCreation?: boolean;
}

export type SenderTask =
  | {
      mode: 'send';
      variant: SenderVariant;
      endpoint: string;
      headers: Record<string, string>;
      /** Files at once. */
      concurrency: number;
      paths: string[];
      /** Sent first and not timed: warms JIT and keep-alive sockets. */
      warmUpPaths: string[];
    }
  | {
      mode: 'queue';
      endpoint: string;
      headers: Record<string, string>;
      /** A folder of tiny files, added as one folder like a drag and drop. */
      dir: string;
      /** Where the JSON queue state goes (what `npm run send` uses). */
      statePath: string;
    }
  | {
      /** A fresh process restoring the queue a 'queue' task left at `statePath`, as the next run would. */
      mode: 'restore';
      statePath: string;
    }
  | {
      /** One folder of many small files through the pool, as `npm run send` would send it. */
      mode: 'scale';
      endpoint: string;
      headers: Record<string, string>;
      dir: string;
      statePath: string;
      concurrency: number;
      /** Files per measured stretch: the rate of each consecutive stretch shows whether cost grows. */
      bucket: number;
    };

export interface QueueFigures {
  jobs: number;
  /** `queue.add` of the folder minus the time inside the persistence port: walking, a stat per file, indexing. */
  addMs: number;
  /** Inside the persistence port: the queue file (snapshot and journal) written and fsynced. */
  persistMs: number;
  stateBytes: number;
}

/** How a long send went, stretch by stretch (`bucket` files each, in the order they landed). */
export interface ScaleFigures {
  files: number;
  /** Jobs whose sha256 the receiver confirmed it checked (X-Ferry-Sha256). */
  confirmed: number;
  bucket: number;
  /** Per stretch: files landed per second (wall time), and the sender's CPU milliseconds per file. */
  filesPerSecond: number[];
  cpuMsPerFile: number[];
}

export interface SenderResult {
  /** RSS when the child started, before loading any sender: Node plus the tsx loader. */
  rssFloor: number;
  /** Wall time from handing over the paths to the last file confirmed. */
  ms: number;
  bytes: number;
  files: number;
  /** RSS after loading the sender and collecting garbage, before the timed work. */
  rssBase: number;
  /** Highest RSS sampled every 100 ms during the timed work. */
  rssPeak: number;
  /** RSS after the work and a GC, with whatever the sender still holds. */
  rssEnd: number;
  /** V8 heap in use after a GC, before and after the work: RSS rarely shrinks, the heap does. */
  heapBase: number;
  heapEnd: number;
  /** User + system CPU time of the sender process during the timed work. */
  cpuMs: number;
  queue?: QueueFigures;
  /** A 'restore' task: the jobs the new process holds. */
  restoredJobs?: number;
  scale?: ScaleFigures;
}

/** Child to parent. 'ready' comes after the warm-up, right before the timed work. */
export type SenderMessage =
  { type: 'ready' } | { type: 'result'; result: SenderResult } | { type: 'failed'; error: string };

/** Parent to child: the task first; then, for sends, 'go' once the receiver's counters are reset. */
export type ParentToSender = SenderTask | { mode: 'go' };
