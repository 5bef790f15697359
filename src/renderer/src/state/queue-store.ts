import type { PushPayload, QueueSnapshot } from '../../../shared/ipc/contract';
import type { OverallView } from '../../../shared/ipc/job-view';
import type { ServerMessage } from '../../../shared/ws-messages';
import type { JobView } from '../../../shared/ipc/job-view';
import {
  createRowDeriver,
  emptyQueue,
  foldQueueChange,
  queueFromSnapshot,
  type QueueData,
  type StateCounts,
} from '../model/queue-state';
import type { ProgressEvent } from '../../../shared/progress-event';
import { foldServerMessage, isNewlyCompleted, noEvents, type ReceiverEvents } from '../model/receiver-events';
import type { RowModel } from '../model/row-model';

export interface QueueView {
  readonly loaded: boolean;
  readonly rows: readonly RowModel[];
  readonly counts: StateCounts;
  readonly overall: OverallView;
  readonly events: ReceiverEvents;
  /** Receiver upload ids of this app's own jobs ("This app" in Received). */
  readonly ownUploadIds: ReadonlySet<string>;
}

export interface QueueStore {
  getView(): QueueView;
  subscribe(listener: () => void): () => void;
  load(snapshot: QueueSnapshot): void;
  applyChange(change: PushPayload<'uploads:changed'>): void;
  /** Returns true when the message finished an upload on the receiver. */
  applyMessage(message: ServerMessage): boolean;
}

/**
 * Queue state for the window: pool jobs from IPC and receiver events from /ws, merged into rows.
 * Listeners hear at most once per `schedule` tick (an animation frame in the window), however many
 * IPC batches and socket events arrived, and rows are derived only when someone reads them.
 * Receiver events are folded into a private map in place; `events` hands out a copy, made only when
 * read after a change (the Received view reads it, the queue does not).
 */
export function createQueueStore(deps: { schedule: (callback: () => void) => void }): QueueStore {
  const derive = createRowDeriver();
  const listeners = new Set<() => void>();
  let data: QueueData = emptyQueue;
  /** `data.jobs`, changed in place by pushes; `jobsVersion` counts those changes. */
  let jobs = new Map<string, JobView>();
  let jobsVersion = 0;
  let live = new Map<string, ProgressEvent>();
  let published: ReceiverEvents = noEvents;
  let publishedStale = false;
  let loaded = false;
  let view: QueueView | undefined;
  let ownIds: { version: number; ids: ReadonlySet<string> } | undefined;
  let pending = false;
  /** What changed since rows were last derived; undefined: derive them all. */
  let hint: { jobIds: Set<string>; uploadIds: Set<string> } | undefined;

  const changed = () => {
    view = undefined;
    if (pending) return;
    pending = true;
    deps.schedule(() => {
      pending = false;
      for (const listener of [...listeners]) listener();
    });
  };

  const ownUploadIds = () => {
    if (ownIds?.version !== jobsVersion) {
      const ids = new Set<string>();
      for (const job of jobs.values()) if (job.receiverUploadId) ids.add(job.receiverUploadId);
      ownIds = { version: jobsVersion, ids };
    }
    return ownIds.ids;
  };

  return {
    getView() {
      if (!view) {
        const { rows, counts, overall } = derive(data, live, hint);
        hint = { jobIds: new Set(), uploadIds: new Set() };
        view = {
          loaded,
          rows,
          counts,
          overall,
          get ownUploadIds() {
            return ownUploadIds();
          },
          get events() {
            if (publishedStale) {
              published = new Map(live);
              publishedStale = false;
            }
            return published;
          },
        };
      }
      return view;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    load(snapshot) {
      const fresh = queueFromSnapshot(snapshot);
      jobs = new Map(fresh.jobs);
      data = { ...fresh, jobs };
      jobsVersion += 1;
      loaded = true;
      hint = undefined;
      changed();
    },
    applyChange(change) {
      // Main sends pushes and the list reply in order on one channel: a push before the list is
      // older than it, so it is dropped rather than applied over newer state.
      if (!loaded) return;
      data = { order: foldQueueChange(jobs, data.order, change), jobs, overall: change.overall };
      jobsVersion += 1;
      for (const job of change.jobs) hint?.jobIds.add(job.id);
      for (const patch of change.patches ?? []) hint?.jobIds.add(patch.id);
      changed();
    },
    applyMessage(message) {
      const completed = isNewlyCompleted(live, message);
      const folded = foldServerMessage(live, message);
      if (folded.changed) {
        if (message.type === 'progress') hint?.uploadIds.add(message.uploadId);
        else hint = undefined;
        live = folded.events;
        publishedStale = true;
        changed();
      }
      return completed || message.type === 'snapshot';
    },
  };
}
