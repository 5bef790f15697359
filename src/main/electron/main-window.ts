import { BrowserWindow, screen } from 'electron';
import type { PushPayload } from '../../shared/ipc/contract';
import { reloadOnReceiverMove } from '../core/receiver-reload';
import type { SettingsStore } from '../core/settings-store';
import { isTrustedSender } from '../core/sender-frame';
import { defaultWindowSize, restorableBounds } from '../core/window-bounds';

export interface MainWindowOptions {
  url: string;
  preload: string;
  appOrigins: readonly string[];
  settings: SettingsStore;
  /** The embedded receiver: the page's CSP names its origin, so the page reloads when it moves. */
  receiver: { origin(): string; onChange(listener: () => void): () => void };
  /** Decides whether a close hides the window (to the tray) or really closes it. */
  onCloseRequest(event: { preventDefault(): void }, window: BrowserWindow): void;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const saved = restorableBounds(
    options.settings.get().window,
    screen.getAllDisplays().map((display) => display.workArea),
  );
  const window = new BrowserWindow({
    ...(saved ? { x: saved.x, y: saved.y, width: saved.width, height: saved.height } : defaultWindowSize),
    minWidth: 640,
    minHeight: 480,
    show: false,
    title: 'Ferry',
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  if (saved?.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());

  // The window never opens other windows or leaves the app's page; links go through shell:open-external.
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const stayHome = (event: { preventDefault(): void }, url: string) => {
    if (!isTrustedSender(url, options.appOrigins)) event.preventDefault();
  };
  window.webContents.on('will-navigate', stayHome);
  window.webContents.on('will-redirect', stayHome);
  window.webContents.on('will-frame-navigate', (details) => {
    if (!isTrustedSender(details.url, options.appOrigins)) details.preventDefault();
  });
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());

  let saveTimer: NodeJS.Timeout | undefined;
  const saveBounds = () => {
    if (window.isDestroyed() || window.isMinimized() || window.isFullScreen()) return;
    const bounds = window.getNormalBounds();
    options.settings.updateInternal({ window: { ...bounds, maximized: window.isMaximized() } });
  };
  const saveSoon = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveBounds, 500);
  };
  window.on('resize', saveSoon);
  window.on('move', saveSoon);
  window.on('maximize', saveSoon);
  window.on('unmaximize', saveSoon);
  window.on('close', (event) => {
    clearTimeout(saveTimer);
    saveBounds();
    options.onCloseRequest(event, window);
  });

  // A new port is chosen in Settings: after the reload (a fresh CSP), show Settings again.
  const stopWatching = reloadOnReceiverMove({
    origin: options.receiver.origin,
    onReceiverChange: options.receiver.onChange,
    reload() {
      if (window.isDestroyed()) return;
      window.webContents.once('did-finish-load', () => {
        const payload: PushPayload<'app:navigate'> = { view: 'settings' };
        if (!window.isDestroyed()) window.webContents.send('app:navigate', payload);
      });
      window.webContents.reload();
    },
  });
  window.on('closed', stopWatching);

  void window.loadURL(options.url);
  return window;
}
