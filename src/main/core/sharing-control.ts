import type { Receiver, SharingEvent, SharingStatus } from '../../engine/receiver/server';
import { ipcErrorCodes, type IpcError } from '../../shared/ipc/contract';
import { sharingOff, type SharingRequestView, type SharingView } from '../../shared/ipc/sharing-view';
import type { Settings, SharingSettings } from '../../shared/settings';
import { IpcFailure } from './ipc-failure';
import { toIpcError } from './ipc-define';
import type { SettingsStore } from './settings-store';
import { createQrCache, effectiveOffAt, toRequestView, toSharingView } from './sharing-view';

export interface SharingControlDeps {
  settings: Pick<SettingsStore, 'get' | 'updateInternal'>;
  /** Addresses to share on; default (and when this returns none): the machine's non-loopback IPv4 addresses. */
  lanAddresses?: () => string[];
  log: { warn(data: object, message: string): void };
  now?: () => number;
  /** How often `offAt` is checked while sharing is on (default 1 s). */
  tickMs?: number;
  /** `offAt` moving by less than this is not worth a push (default 1.5 s). */
  driftMs?: number;
}

/** Receiving from other devices, driven by the settings, on whichever receiver is running. */
export interface SharingControl {
  /** Sharing follows this receiver from now on; it starts at once when the settings say so. Never throws. */
  attach(receiver: Receiver): Promise<void>;
  /** The receiver is about to close: its sharing ending is not a change of mind. */
  detach(): void;
  /** Starts, restarts (other PIN, prompt or idle time) or stops sharing; throws when it cannot start. */
  apply(settings: Settings): Promise<void>;
  view(): Promise<SharingView>;
  revoke(): void;
  revokeGuest(guestId: string): void;
  decide(requestId: string, accept: boolean): void;
  /** Something the window shows changed (an event, or `offAt` moved). */
  onChange(listener: () => void): () => void;
  /** A new device waits for Accept or Decline. */
  onRequest(listener: (request: SharingRequestView) => void): () => void;
  close(): void;
}

const keyOf = (sharing: SharingSettings) =>
  sharing.enabled ? JSON.stringify([sharing.pin, sharing.requireAccept, sharing.idleMinutes]) : undefined;

export function createSharingControl(deps: SharingControlDeps): SharingControl {
  const now = deps.now ?? Date.now;
  const driftMs = deps.driftMs ?? 1_500;
  const changeListeners = new Set<() => void>();
  const requestListeners = new Set<(request: SharingRequestView) => void>();
  const qrOf = createQrCache();
  let current: { receiver: Receiver; unsubscribe: () => void } | undefined;
  /** The options the running share was started with; undefined while off. */
  let running: string | undefined;
  let error: IpcError | null = null;
  /** What the window was last shown of the things that change without an event. */
  let shown: { offAt: number | null; guests: string } = { offAt: null, guests: '' };
  const guestsKey = (status: SharingStatus) =>
    JSON.stringify(status.guests.map((guest) => [guest.id, guest.uploads, guest.approved]));

  const changed = () => {
    for (const listener of changeListeners) listener();
  };
  const live = () => {
    if (!current) throw new IpcFailure(ipcErrorCodes.failed, 'The receiver is not running');
    return current.receiver.sharing;
  };

  function onEvent(event: SharingEvent): void {
    if (event.type === 'stopped' && event.reason === 'idle') {
      // Auto-off is the setting turning off, so the switch and the next launch agree with it.
      running = undefined;
      deps.settings.updateInternal({ sharing: { ...deps.settings.get().sharing, enabled: false } });
    }
    if (event.type === 'request') for (const listener of requestListeners) listener(toRequestView(event.request));
    changed();
  }

  // The countdown runs in the window; this only notices when a device's activity moved the end, or
  // a device's upload count changed (neither has an event of its own).
  const ticker = setInterval(() => {
    if (!current || running === undefined) return;
    const status = current.receiver.sharing.status();
    const offAt = effectiveOffAt(status, now());
    if (
      offAt === null ||
      shown.offAt === null ||
      Math.abs(offAt - shown.offAt) >= driftMs ||
      guestsKey(status) !== shown.guests
    )
      changed();
  }, deps.tickMs ?? 1_000);
  ticker.unref?.();

  async function apply(next: Settings): Promise<void> {
    if (!current) return;
    const sharing = current.receiver.sharing;
    const wanted = keyOf(next.sharing);
    if (wanted === undefined) {
      const wasOn = running !== undefined || error !== null || sharing.status().active;
      running = undefined;
      error = null;
      if (sharing.status().active) await sharing.stop();
      if (wasOn) changed();
      return;
    }
    if (wanted === running && sharing.status().active) return;
    const addresses = deps.lanAddresses?.() ?? [];
    try {
      await sharing.start({
        addresses,
        pin: next.sharing.pin,
        requireAccept: next.sharing.requireAccept,
        idleMs: next.sharing.idleMinutes * 60_000,
      });
      running = wanted;
      error = null;
    } catch (caught) {
      running = undefined;
      error = toIpcError(caught);
      changed();
      throw caught;
    }
  }

  return {
    async attach(receiver) {
      current?.unsubscribe();
      current = { receiver, unsubscribe: receiver.sharing.subscribe(onEvent) };
      running = undefined;
      try {
        await apply(deps.settings.get());
      } catch (caught) {
        // The receiver itself is fine: say why sharing is off in the panel instead of failing the launch.
        deps.log.warn({ err: caught }, 'could not turn on receiving from other devices');
      }
      changed();
    },
    detach() {
      current?.unsubscribe();
      current = undefined;
      running = undefined;
      changed();
    },
    apply,
    async view() {
      if (!current) return { ...sharingOff, error };
      // The link may change while its QR code renders: render until the code matches the status.
      for (;;) {
        const status = current.receiver.sharing.status();
        const qr = status.link ? await qrOf(status.link).catch(() => null) : null;
        const fresh = current?.receiver.sharing.status();
        if (!fresh) return { ...sharingOff, error };
        if (fresh.link !== status.link) continue;
        const view = toSharingView(fresh, qr, error, now());
        shown = { offAt: view.offAt, guests: guestsKey(fresh) };
        return view;
      }
    },
    revoke: () => void live().revoke(),
    revokeGuest(guestId) {
      if (!live().revokeGuest(guestId))
        throw new IpcFailure(ipcErrorCodes.notFound, 'No device with this id is connected');
    },
    decide(requestId, accept) {
      if (!live().decide(requestId, accept))
        throw new IpcFailure(ipcErrorCodes.notFound, 'That device is no longer waiting');
    },
    onChange(listener) {
      changeListeners.add(listener);
      return () => void changeListeners.delete(listener);
    },
    onRequest(listener) {
      requestListeners.add(listener);
      return () => void requestListeners.delete(listener);
    },
    close() {
      clearInterval(ticker);
      current?.unsubscribe();
      current = undefined;
    },
  };
}
