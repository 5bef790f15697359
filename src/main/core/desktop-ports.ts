import type { NotificationText } from './notification-policy';
import type { PowerSaveBlocker } from './power-blocker';

/**
 * What the core needs from the desktop. The Electron adapters implement these in the app; the
 * browser tests and the headless host pass fakes. Paths only ever come from here or from a drop.
 */
export interface DialogPort {
  /** Files to upload; empty when canceled. */
  pickFiles(): Promise<string[]>;
  /** Folders to upload whole; empty when canceled. */
  pickFolder(): Promise<string[]>;
  /** Where to receive files; null when canceled. */
  pickFolderForReceive(current: string): Promise<string | null>;
}

export interface ShellPort {
  /** Opens a file with its default application; rejects with the OS's reason. */
  openPath(path: string): Promise<void>;
  showItemInFolder(path: string): void;
  /** Only ever called with a URL the allow-list passed. */
  openExternal(url: string): Promise<void>;
}

export interface NotificationPort {
  show(note: NotificationText): void;
}

export interface TaskbarPort {
  /** null clears the bar. */
  setProgress(fraction: number | null, mode: 'normal' | 'paused' | 'error'): void;
}

export interface LoginItemPort {
  setOpenAtLogin(open: boolean): void;
}

export interface DesktopPorts {
  dialogs: DialogPort;
  shell: ShellPort;
  notifications: NotificationPort;
  taskbar: TaskbarPort;
  power: PowerSaveBlocker;
  loginItem: LoginItemPort;
}

/** The ports IPC handlers use. */
export type IpcPorts = Pick<DesktopPorts, 'dialogs' | 'shell'>;
