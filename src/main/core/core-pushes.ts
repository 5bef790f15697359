import type { PushChannel, PushPayload } from '../../shared/ipc/contract';
import type { FerryCore } from './ferry-core';
import { createProgressBatcher, type UploadsChanged } from './progress-batcher';

export type Push = <C extends PushChannel>(channel: C, payload: PushPayload<C>) => void;

export interface CorePushes {
  flush(): void;
  stop(): void;
}

/**
 * What main pushes to the window, the same in the app and in the browser tests: batched
 * `uploads:changed` (a batch per interval, told against what the window has: `window-jobs.ts`), `settings:changed` on every settings change, and
 * `sharing:changed` whenever receiving from other devices changes.
 */
export function connectPushes(
  core: Pick<FerryCore, 'queue' | 'pool' | 'settings' | 'sharing' | 'windowJobs'>,
  push: Push,
  options: {
    intervalMs?: number;
    /** Each batch once, its jobs whole (the window gets them in pushes, told by what changed). */
    onUploadsChanged?: (change: UploadsChanged) => void;
  } = {},
): CorePushes {
  const batcher = createProgressBatcher({
    queue: core.queue,
    pool: core.pool,
    hub: core.pool.hub,
    window: core.windowJobs,
    intervalMs: options.intervalMs,
    push: (message) => push('uploads:changed', message),
    onBatch: options.onUploadsChanged,
  });
  const stopSettings = core.settings.onChange((settings) => push('settings:changed', settings));
  // One view at a time, built when its turn comes: a burst of events ends with the latest state.
  let sharingBusy = false;
  let sharingAgain = false;
  let stopped = false;
  const pushSharing = () => {
    if (sharingBusy) return void (sharingAgain = true);
    sharingBusy = true;
    void core.sharing
      .view()
      .then(
        (view) => stopped || push('sharing:changed', view),
        () => undefined,
      )
      .finally(() => {
        sharingBusy = false;
        if (sharingAgain && !stopped) {
          sharingAgain = false;
          pushSharing();
        }
      });
  };
  const stopSharing = core.sharing.onChange(pushSharing);
  return {
    flush: () => batcher.flush(),
    stop() {
      stopped = true;
      batcher.stop();
      stopSettings();
      stopSharing();
    },
  };
}
