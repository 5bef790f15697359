import type { FerryApi } from '../../../shared/ipc/api';
import { ipcErrorCodes, type IpcResult } from '../../../shared/ipc/contract';
import { sharingOff, type SharingView } from '../../../shared/ipc/sharing-view';
import { IpcCallError, unwrap } from '../api/ferry';
import { createStore, type Store } from './store';

export interface SharingStore extends Pick<Store<SharingView>, 'get' | 'subscribe'> {
  /** Follows `sharing:changed` and reads the current state once; returns the unsubscribe. */
  start(): () => void;
  set(enabled: boolean): Promise<void>;
  /** A new link: every device that joined is out. */
  revoke(): Promise<void>;
  revokeGuest(guestId: string): Promise<void>;
  decide(requestId: string, accept: boolean): Promise<void>;
}

/** Receiving from other devices as main reports it; actions answer with the new state. */
export function createSharingStore(deps: { ferry: FerryApi; fail(error: unknown): void }): SharingStore {
  const store = createStore<SharingView>(sharingOff);
  // A push that lands while the first read is on its way is newer than that read's answer.
  let pushed = false;

  const run = async (call: Promise<IpcResult<SharingView>>) => {
    try {
      store.set(await unwrap(call));
    } catch (error) {
      // A request decided elsewhere (or timed out) is simply gone; the next push shows it.
      if (!(error instanceof IpcCallError && error.code === ipcErrorCodes.notFound)) deps.fail(error);
    }
  };

  return {
    get: store.get,
    subscribe: store.subscribe,
    start() {
      const stop = deps.ferry.on('sharing:changed', (view) => {
        pushed = true;
        store.set(view);
      });
      void unwrap(deps.ferry.sharingStatus()).then((view) => pushed || store.set(view), deps.fail);
      return stop;
    },
    set: (enabled) => run(deps.ferry.sharingSet({ enabled })),
    revoke: () => run(deps.ferry.sharingRevoke()),
    revokeGuest: (guestId) => run(deps.ferry.sharingRevokeGuest({ guestId })),
    decide: (requestId, accept) => run(deps.ferry.sharingDecide({ requestId, accept })),
  };
}
