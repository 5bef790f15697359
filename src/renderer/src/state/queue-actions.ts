import type { FerryApi } from '../../../shared/ipc/api';
import type { IpcResult } from '../../../shared/ipc/contract';
import type { AddSummary } from '../../../shared/ipc/job-view';
import { unwrap } from '../api/ferry';
import type { RowModel } from '../model/row-model';
import type { NoticeInput } from './notice';
import type { QueueStore } from './queue-store';
import { createStore, type Store } from './store';

/** A cancel that waits so it can be undone: the files are paused at once and canceled after the delay. */
export interface PendingCancel {
  readonly ids: readonly string[];
  /** The file's name when there is one, for the toast. */
  readonly name: string | undefined;
}

export interface QueueActions {
  readonly pendingCancel: Store<PendingCancel | null>;
  add(kind: 'files' | 'folder'): Promise<void>;
  addDropped(files: readonly File[]): Promise<void>;
  pause(ids?: readonly string[]): Promise<void>;
  resume(ids?: readonly string[]): Promise<void>;
  retry(ids: readonly string[]): Promise<void>;
  clearFinished(): Promise<void>;
  reveal(id: string): Promise<void>;
  cancelWithUndo(rows: readonly RowModel[]): void;
  /** Returns whether there was a cancel to take back. */
  undoCancel(): boolean;
  /** Carries out a waiting cancel now (the window is closing). */
  flush(): void;
}

export const cancelUndoMs = 5000;

export function createQueueActions(deps: {
  ferry: FerryApi;
  queue: QueueStore;
  notify(notice: NoticeInput): void;
  fail(error: unknown): void;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}): QueueActions {
  const { ferry, fail } = deps;
  const pendingCancel = createStore<PendingCancel | null>(null);
  let pending: { ids: string[]; resumeIds: string[]; timer: unknown } | undefined;

  const run = async (call: Promise<IpcResult<unknown>>) => {
    try {
      await unwrap(call);
    } catch (error) {
      fail(error);
    }
  };
  const summarize = async (call: ReturnType<FerryApi['uploadsPickFiles']>) => {
    try {
      const summary: AddSummary = await unwrap(call);
      // A dialog closed without a choice adds nothing and says nothing.
      if (summary.added > 0 || summary.duplicates.length > 0 || summary.skipped.length > 0)
        deps.notify({ kind: 'added', summary });
    } catch (error) {
      fail(error);
    }
  };
  const idsPayload = (ids?: readonly string[]) => (ids ? { ids: [...ids] } : {});

  const commit = () => {
    if (!pending) return;
    const { ids, timer } = pending;
    deps.clearTimer(timer);
    pending = undefined;
    pendingCancel.set(null);
    void run(ferry.uploadsCancel({ ids }));
  };

  return {
    pendingCancel,
    add: (kind) => summarize(kind === 'files' ? ferry.uploadsPickFiles() : ferry.uploadsPickFolder()),
    addDropped: (files) => (files.length > 0 ? summarize(ferry.addDroppedFiles(files)) : Promise.resolve()),
    pause: (ids) => run(ferry.uploadsPause(idsPayload(ids))),
    resume: (ids) => run(ferry.uploadsResume(idsPayload(ids))),
    retry: (ids) => (ids.length > 0 ? run(ferry.uploadsRetry({ ids: [...ids] })) : Promise.resolve()),
    clearFinished: () => run(ferry.uploadsClearFinished()),
    reveal: (id) => run(ferry.uploadsReveal({ id })),
    cancelWithUndo(rows) {
      const cancelable = rows.filter((row) => row.canCancel);
      if (cancelable.length === 0) return;
      commit();
      const ids = cancelable.map((row) => row.id);
      const resumeIds = cancelable.filter((row) => row.canPause).map((row) => row.id);
      if (resumeIds.length > 0) void run(ferry.uploadsPause({ ids: resumeIds }));
      pending = { ids, resumeIds, timer: deps.setTimer(commit, cancelUndoMs) };
      pendingCancel.set({ ids, name: cancelable.length === 1 ? cancelable[0]!.name : undefined });
    },
    undoCancel() {
      if (!pending) return false;
      const { resumeIds, timer } = pending;
      deps.clearTimer(timer);
      pending = undefined;
      pendingCancel.set(null);
      if (resumeIds.length > 0) void run(ferry.uploadsResume({ ids: resumeIds }));
      return true;
    },
    flush: commit,
  };
}
