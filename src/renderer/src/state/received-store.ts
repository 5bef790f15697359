import type { FerryApi } from '../../../shared/ipc/api';
import type { ReceivedFile } from '../../../shared/ipc/job-view';
import { unwrap } from '../api/ferry';
import { createStore, type Store } from './store';

export interface ReceivedState {
  readonly loaded: boolean;
  readonly files: readonly ReceivedFile[];
  readonly error: string | undefined;
}

export interface ReceivedStore extends Pick<Store<ReceivedState>, 'get' | 'subscribe'> {
  /** Reloads `received:list` soon; calls close together become one. */
  refreshSoon(): void;
  refresh(): Promise<void>;
}

export function createReceivedStore(deps: {
  ferry: FerryApi;
  setTimer: (callback: () => void, ms: number) => unknown;
  delayMs?: number;
}): ReceivedStore {
  const store = createStore<ReceivedState>({ loaded: false, files: [], error: undefined });
  let scheduled = false;
  let running: Promise<void> | undefined;
  let again = false;

  const refresh = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        const files = await unwrap(deps.ferry.receivedList());
        store.set({ loaded: true, files, error: undefined });
      } catch (caught) {
        store.set((state) => ({
          ...state,
          loaded: true,
          error: caught instanceof Error ? caught.message : String(caught),
        }));
      } finally {
        running = undefined;
      }
      if (again) {
        again = false;
        await refresh();
      }
    })();
    return running;
  };

  return {
    get: store.get,
    subscribe: store.subscribe,
    refresh,
    refreshSoon() {
      if (scheduled) return;
      scheduled = true;
      deps.setTimer(() => {
        scheduled = false;
        void refresh();
      }, deps.delayMs ?? 250);
    },
  };
}
