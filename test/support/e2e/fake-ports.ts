// Fakes for the Electron adapters only: dialogs answer what the test queued, the shell records calls.
import type { DialogPort, ShellPort } from '../../../src/main/core/desktop-ports';

export interface FakePorts {
  dialogs: DialogPort & { nextFiles: string[][]; nextFolders: string[][]; nextReceiveFolder: (string | null)[] };
  shell: ShellPort & { opened: string[]; revealed: string[]; external: string[] };
}

export function createFakePorts(): FakePorts {
  const dialogs: FakePorts['dialogs'] = {
    nextFiles: [],
    nextFolders: [],
    nextReceiveFolder: [],
    pickFiles: async () => dialogs.nextFiles.shift() ?? [],
    pickFolder: async () => dialogs.nextFolders.shift() ?? [],
    pickFolderForReceive: async () => dialogs.nextReceiveFolder.shift() ?? null,
  };
  const shell: FakePorts['shell'] = {
    opened: [],
    revealed: [],
    external: [],
    async openPath(path) {
      shell.opened.push(path);
    },
    showItemInFolder(path) {
      shell.revealed.push(path);
    },
    async openExternal(url) {
      shell.external.push(url);
    },
  };
  return { dialogs, shell };
}
