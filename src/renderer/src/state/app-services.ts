import type { FerryApi } from '../../../shared/ipc/api';
import type { AppInfo } from '../../../shared/ipc/contract';
import type { Settings, SettingsPatch } from '../../../shared/settings';
import { messageOf, unwrap } from '../api/ferry';
import { createReceiverSocket, type ReceiverSocket, type SocketLike, type SocketStatus } from '../live/receiver-socket';
import type { Notice, NoticeInput } from './notice';
import { createQueueActions, type QueueActions } from './queue-actions';
import { createQueueStore, type QueueStore } from './queue-store';
import { createReceivedStore, type ReceivedStore } from './received-store';
import { createSharingStore, type SharingStore } from './sharing-store';
import { createStore, type Store } from './store';

export type View = 'queue' | 'received' | 'settings';
export const views: readonly View[] = ['queue', 'received', 'settings'];

export interface AppState {
  readonly info: AppInfo | null;
  readonly settings: Settings | null;
  readonly view: View;
  readonly connection: SocketStatus;
}

export interface AppServicesDeps {
  ferry: FerryApi;
  createSocket(url: string, protocols: string[]): SocketLike;
  /** Once per animation frame in the window. */
  schedule(callback: () => void): void;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export interface AppServices {
  readonly ferry: FerryApi;
  readonly app: Store<AppState>;
  readonly queue: QueueStore;
  readonly received: ReceivedStore;
  /** Receiving from other devices: link, QR code, countdown, devices, waiting requests. */
  readonly sharing: SharingStore;
  readonly notices: Store<readonly Notice[]>;
  readonly actions: QueueActions;
  start(): Promise<void>;
  stop(): void;
  navigate(view: View): void;
  notify(notice: NoticeInput): void;
  dismiss(id: number): void;
  /** Saves a patch; the returned settings are the app's new ones (main validates the merged result). */
  updateSettings(patch: SettingsPatch): Promise<Settings>;
  /** Re-reads `app:info` (after main moved the receiver), reconnecting /ws if its address changed. */
  refreshInfo(): Promise<void>;
}

export function createAppServices(deps: AppServicesDeps): AppServices {
  const { ferry } = deps;
  const app = createStore<AppState>({ info: null, settings: null, view: 'queue', connection: 'connecting' });
  const queue = createQueueStore({ schedule: deps.schedule });
  const received = createReceivedStore({ ferry, setTimer: deps.setTimer });
  const notices = createStore<readonly Notice[]>([]);
  const unsubscribers: Array<() => void> = [];
  let socket: ReceiverSocket | undefined;
  let nextNoticeId = 1;

  const notify: AppServices['notify'] = (notice) => {
    const entry = { ...notice, id: nextNoticeId++ } as Notice;
    // Newest first, and only a few: these are quiet banners, not a log.
    notices.set((current) => [entry, ...current].slice(0, 3));
  };
  const fail = (error: unknown) => notify({ kind: 'error', message: messageOf(error) });
  const sharing = createSharingStore({ ferry, fail });
  const actions = createQueueActions({
    ferry,
    queue,
    notify,
    fail,
    setTimer: deps.setTimer,
    clearTimer: deps.clearTimer,
  });

  const setSettings = (settings: Settings) =>
    app.set((state) => ({ ...state, settings, info: state.info && { ...state.info, settings } }));

  const connect = (origin: string, token: string) => {
    socket?.stop();
    socket = createReceiverSocket({
      origin,
      token,
      createSocket: deps.createSocket,
      onStatus: (connection) =>
        app.set((state) => (state.connection === connection ? state : { ...state, connection })),
      onMessage: (message) => {
        if (queue.applyMessage(message)) received.refreshSoon();
      },
      setTimer: deps.setTimer,
      clearTimer: deps.clearTimer,
    });
    socket.start();
  };

  /** Reads `app:info` again; a receiver that moved (new port) gets a new socket. */
  const refreshInfo = async () => {
    const before = app.get().info?.receiver;
    const info = await unwrap(ferry.appInfo());
    app.set((state) => ({ ...state, info, settings: info.settings }));
    if (!before || !socket || before.origin !== info.receiver.origin || before.token !== info.receiver.token)
      connect(info.receiver.origin, info.receiver.token);
    if (before && before.receiveFolder !== info.receiver.receiveFolder) void received.refresh();
  };

  return {
    ferry,
    app,
    queue,
    received,
    sharing,
    notices,
    actions,
    async start() {
      unsubscribers.push(
        ferry.on('uploads:changed', (change) => queue.applyChange(change)),
        ferry.on('settings:changed', setSettings),
        ferry.on('app:navigate', ({ view }) => app.set((state) => ({ ...state, view }))),
        sharing.start(),
      );
      try {
        await refreshInfo();
      } catch (error) {
        fail(error);
      }
      await Promise.all([
        unwrap(ferry.uploadsList()).then((snapshot) => queue.load(snapshot), fail),
        received.refresh(),
      ]);
    },
    stop() {
      socket?.stop();
      actions.flush();
      for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
    },
    navigate: (view) => app.set((state) => (state.view === view ? state : { ...state, view })),
    notify,
    dismiss: (id) => notices.set((current) => current.filter((notice) => notice.id !== id)),
    async updateSettings(patch) {
      const settings = await unwrap(ferry.settingsUpdate(patch));
      setSettings(settings);
      // Main restarts the receiver for these before it answers: its port and folder may have moved.
      if ('receiverPort' in patch || 'receiveFolder' in patch) await refreshInfo().catch(fail);
      return settings;
    },
    refreshInfo: () => refreshInfo().catch(fail),
  };
}
