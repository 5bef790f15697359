import { app, BrowserWindow, dialog, Notification, powerSaveBlocker, shell } from 'electron';
import type { DesktopPorts } from '../core/desktop-ports';

/** The Electron side of the desktop ports. Dialogs attach to the window when there is one. */
export function createElectronPorts(window: () => BrowserWindow | undefined): DesktopPorts {
  const open = async (properties: Electron.OpenDialogOptions['properties'], title: string, defaultPath?: string) => {
    const parent = window();
    const options: Electron.OpenDialogOptions = { title, properties, ...(defaultPath ? { defaultPath } : {}) };
    const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
    return result.canceled ? [] : result.filePaths;
  };
  return {
    dialogs: {
      pickFiles: () => open(['openFile', 'multiSelections'], 'Add files'),
      pickFolder: () => open(['openDirectory', 'multiSelections'], 'Add a folder'),
      pickFolderForReceive: async (current) =>
        (await open(['openDirectory', 'createDirectory'], 'Receive files into', current))[0] ?? null,
    },
    shell: {
      async openPath(path) {
        // Electron reports failure as a message, not a rejection.
        const failure = await shell.openPath(path);
        if (failure) throw new Error(failure);
      },
      showItemInFolder: (path) => shell.showItemInFolder(path),
      openExternal: (url) => shell.openExternal(url),
    },
    notifications: {
      show(note) {
        if (Notification.isSupported()) new Notification({ title: note.title, body: note.body, silent: false }).show();
      },
    },
    taskbar: {
      setProgress(fraction, mode) {
        const target = window();
        if (!target || target.isDestroyed()) return;
        // -1 removes the bar (Windows taskbar, macOS dock, Unity launcher).
        target.setProgressBar(fraction === null ? -1 : Math.min(1, Math.max(0, fraction)), {
          mode: fraction === null ? 'none' : mode,
        });
      },
    },
    power: {
      start: () => powerSaveBlocker.start('prevent-app-suspension'),
      stop: (id) => {
        if (powerSaveBlocker.isStarted(id)) powerSaveBlocker.stop(id);
      },
    },
    loginItem: {
      setOpenAtLogin(openAtLogin) {
        // Linux has no login items in Electron; the setting is kept but does nothing there.
        if (process.platform === 'darwin' || process.platform === 'win32') app.setLoginItemSettings({ openAtLogin });
      },
    },
  };
}
