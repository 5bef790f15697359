// Test support for main's core: the upload pool as main's pushes and list replies read it, with a
// progress hub whose events the test sends, the queue's real totals and the jobs the test says run.
import { createQueueTotals } from '../../src/engine/sender/queue-totals';
import type { OverallProgress } from '../../src/engine/sender/upload-pool';
import type { UploadQueue } from '../../src/engine/sender/upload-queue';
import type { ProgressEvent } from '../../src/shared/progress-event';

export interface ScriptedHub {
  /** The last event per upload, as the real hub answers it. */
  get(uploadId: string): ProgressEvent | undefined;
  subscribe(listener: (event: ProgressEvent) => void): () => void;
  /** A progress event for `uploadId` with this speed and ETA, to every listener. */
  emit(uploadId: string, bytesPerSecond: number, etaSeconds?: number | null): void;
}

export function scriptedHub(): ScriptedHub {
  const listeners = new Set<(event: ProgressEvent) => void>();
  const last = new Map<string, ProgressEvent>();
  return {
    get: (uploadId) => last.get(uploadId),
    subscribe: (listener) => (listeners.add(listener), () => void listeners.delete(listener)),
    emit(uploadId, bytesPerSecond, etaSeconds = 5) {
      const event = { uploadId, bytesPerSecond, etaSeconds } as ProgressEvent;
      last.set(uploadId, event);
      for (const listener of listeners) listener(event);
    },
  };
}

export interface FakeUploadPool {
  hub: ScriptedHub;
  overall(): OverallProgress;
  activeCount(): number;
  activeIds(): string[];
}

/**
 * The queue's totals, kept as the real pool keeps them, at no speed; nothing runs unless `running`
 * names the jobs that do. Made before whatever reads it, so its totals follow each change first.
 */
export function fakeUploadPool(
  queue: Pick<UploadQueue, 'list' | 'get' | 'onChange'>,
  options: { running?: () => readonly string[] } = {},
): FakeUploadPool {
  const totals = createQueueTotals(queue, () => true);
  const running = () => [...(options.running?.() ?? [])];
  return {
    hub: scriptedHub(),
    overall: () => ({ ...totals.current(), bytesPerSecond: 0, etaSeconds: null }),
    activeCount: () => running().length,
    activeIds: running,
  };
}
