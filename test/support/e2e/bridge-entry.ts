// Runs in the page before the renderer: stands in for the preload. It builds `window.ferry` with the
// same `buildFerryApi` the preload uses; only the transport (a Playwright binding) and the
// `webUtils.getPathForFile` fake differ.
import { buildFerryApi } from '../../../src/shared/ipc/api';
import type { InvokeChannel, IpcResult, PushChannel } from '../../../src/shared/ipc/contract';

interface BridgeWindow {
  __ferryInvoke(channel: InvokeChannel, payload: unknown): Promise<IpcResult<unknown>>;
  __ferryPush?(channel: PushChannel, payload: unknown): void;
  /** File name → path on disk: what `webUtils.getPathForFile` answers for a dropped File. */
  __ferryFakePaths?: Record<string, string>;
  ferry?: unknown;
}

const page = window as unknown as BridgeWindow;
const listeners = new Map<PushChannel, Set<(payload: unknown) => void>>();
page.__ferryPush = (channel, payload) => {
  for (const listener of listeners.get(channel) ?? []) listener(payload);
};
page.ferry = Object.freeze(
  buildFerryApi(
    {
      invoke: (channel, payload) => page.__ferryInvoke(channel, payload),
      on(channel, listener) {
        const set = listeners.get(channel) ?? new Set();
        listeners.set(channel, set);
        set.add(listener);
        return () => void set.delete(listener);
      },
    },
    (file) => page.__ferryFakePaths?.[file.name] ?? '',
  ),
);
