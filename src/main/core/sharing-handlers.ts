import type { InvokeChannel } from '../../shared/ipc/contract';
import type { FerryCore } from './ferry-core';
import type { createDefineHandler, InvokeHandlers } from './ipc-define';

type SharingChannel = Extract<InvokeChannel, `sharing:${string}`>;

/** The `sharing:*` part of the handler table; every answer is the state after the action. */
export function createSharingHandlers(
  define: ReturnType<typeof createDefineHandler>,
  core: Pick<FerryCore, 'sharing' | 'updateSettings'>,
): Pick<InvokeHandlers, SharingChannel> {
  const { sharing } = core;
  return {
    'sharing:status': define('sharing:status', () => sharing.view()),
    'sharing:set': define('sharing:set', async ({ enabled }) => {
      await core.updateSettings({ sharing: { enabled } });
      return sharing.view();
    }),
    'sharing:revoke': define('sharing:revoke', () => (sharing.revoke(), sharing.view())),
    'sharing:revoke-guest': define(
      'sharing:revoke-guest',
      ({ guestId }) => (sharing.revokeGuest(guestId), sharing.view()),
    ),
    'sharing:decide': define(
      'sharing:decide',
      ({ requestId, accept }) => (sharing.decide(requestId, accept), sharing.view()),
    ),
  };
}
