// Electron composition root: wires the plain-Node core to the window, tray, IPC and the OS.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, powerMonitor, session } from 'electron';
import { pino } from 'pino';
import type { PushChannel, PushPayload } from '../shared/ipc/contract';
import { createUploadAdder } from './core/add-uploads';
import { connectPushes } from './core/core-pushes';
import { createDesktopFeedback } from './core/desktop-feedback';
import { createFerryCore } from './core/ferry-core';
import { createIpcHandlers } from './core/ipc-handlers';
import { appOrigin } from './core/renderer-files';
import { requestNote } from './core/sharing-view';
import { restartRunningJobs } from './core/wake';
import { registerAppScheme, serveRenderer } from './electron/app-protocol';
import { createElectronPorts } from './electron/desktop-ports';
import { registerIpcHandlers } from './electron/ipc-registration';
import { createMainWindow } from './electron/main-window';
import { createQuitFlow } from './electron/quit-flow';
import { lockDownSession } from './electron/session-security';
import { claimSingleInstance } from './electron/single-instance';
import { openStore } from './electron/stores';
import { createAppTray, type AppTray } from './electron/tray';
import { createElectronStorePersistence } from './electron-store-persistence';

const here = dirname(fileURLToPath(import.meta.url));
const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const appOrigins = devUrl ? [new URL(devUrl).origin] : [appOrigin];

let window: BrowserWindow | undefined;
let addFiles: ((paths: string[]) => void) | undefined;
const pendingFiles: string[] = [];

function showWindow(): void {
  if (!window || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

function push<C extends PushChannel>(channel: C, payload: PushPayload<C>): void {
  if (window && !window.isDestroyed()) window.webContents.send(channel, payload);
}

registerAppScheme();
if (
  !claimSingleInstance({
    onSecondLaunch: showWindow,
    onFiles: (paths) => (addFiles ? addFiles(paths) : pendingFiles.push(...paths)),
  })
) {
  app.quit();
} else {
  void app
    .whenReady()
    .then(main)
    .catch((error: unknown) => {
      dialog.showErrorBox('Ferry could not start', (error as Error).message);
      app.exit(1);
    });
}

async function main(): Promise<void> {
  if (process.platform === 'win32') app.setAppUserModelId('dev.ferry.app');
  const logger = pino(
    { level: 'info' },
    pino.destination({ dest: join(app.getPath('logs'), 'ferry.log'), mkdir: true, sync: false }),
  );
  lockDownSession(session.defaultSession);
  const core = createFerryCore({
    settings: openStore('settings'),
    // The store keeps a snapshot; changes between compactions go to a journal file beside it.
    queuePersistence: createElectronStorePersistence(openStore('queue'), {
      journalPath: join(app.getPath('userData'), 'queue.journal'),
    }),
    defaultReceiveFolder: join(app.getPath('downloads'), 'Ferry'),
    windowOrigins: appOrigins,
    logger,
    // The page other devices open to send files (built into out/web next to the window's bundle).
    receiver: { webRoot: join(here, '../web') },
  });
  await core.start();
  // In development the window comes from the Vite server, which sends its own headers.
  if (!devUrl) serveRenderer(join(here, '../renderer'), () => core.receiverInfo().origin);

  const ports = createElectronPorts(() => window);
  const tray: AppTray | undefined = createAppTray((id) => {
    if (id === 'pause-all') core.pool.pause();
    else if (id === 'resume-all') core.pool.resume();
    else if (id === 'open') showWindow();
    else if (id === 'quit') app.quit();
  });
  const feedback = createDesktopFeedback({
    queue: core.queue,
    settings: core.settings,
    locale: app.getLocale(),
    ...ports,
    showTray: (model) => tray?.update(model),
  });
  const onAdded = (ids: string[]) => feedback.notificationPolicy.trackBatch(ids);
  const handlers = createIpcHandlers({
    core,
    ports,
    appOrigins,
    app: { version: app.getVersion(), platform: process.platform, locale: app.getLocale() },
    onAdded,
    onError: (channel, error) => logger.warn({ err: error, channel }, 'IPC handler failed'),
  });
  registerIpcHandlers(ipcMain, handlers);

  const pushes = connectPushes(core, push, { onUploadsChanged: (change) => feedback.onChange(change) });
  // The window shows its own prompt; a hidden or unfocused window also gets a desktop notification.
  core.sharing.onRequest((request) => {
    if (window && !window.isDestroyed() && window.isVisible() && window.isFocused()) return;
    ports.notifications.show(requestNote(request, core.settings.get().language, app.getLocale()));
  });

  const quit = createQuitFlow({
    window: () => window,
    trayAvailable: () => tray !== undefined,
    pending: () => ({
      active: core.pool.activeCount(),
      queued: core.queue.list().filter((job) => job.status === 'queued').length,
    }),
    async shutdown() {
      pushes.stop();
      feedback.dispose();
      await core.close().catch((error: unknown) => logger.error({ err: error }, 'shutdown failed'));
      tray?.destroy();
      logger.flush();
    },
  });

  feedback.refresh();

  const applyLoginItem = (openAtLogin: boolean) => ports.loginItem.setOpenAtLogin(openAtLogin);
  applyLoginItem(core.settings.get().startAtLogin);
  core.settings.onChange((next, previous) => {
    if (next.startAtLogin !== previous.startAtLogin) applyLoginItem(next.startAtLogin);
    if (next.language !== previous.language) feedback.refresh();
  });

  // Sockets from before a sleep are dead: restart running transfers now rather than after a stall.
  powerMonitor.on('resume', () => restartRunningJobs(core.queue, core.pool));

  const openWindow = () => {
    window = createMainWindow({
      url: devUrl ?? `${appOrigin}/index.html`,
      preload: join(here, '../preload/index.cjs'),
      appOrigins,
      settings: core.settings,
      receiver: { origin: () => core.receiverInfo().origin, onChange: core.onReceiverChange },
      onCloseRequest: quit.onWindowClose,
    });
    window.on('closed', () => (window = undefined));
  };
  openWindow();
  app.on('activate', () => (window ? showWindow() : openWindow()));

  const adder = createUploadAdder(core, onAdded);
  addFiles = (paths) => {
    void adder(paths).then(
      () => push('app:navigate', { view: 'queue' }),
      (error: unknown) => logger.warn({ err: error }, 'could not add files'),
    );
    showWindow();
  };
  if (pendingFiles.length > 0) addFiles(pendingFiles.splice(0));
}
