// Preload (sandboxed, CommonJS): the window's only way to main. It exposes one typed function per
// IPC channel through contextBridge, never ipcRenderer itself, and turns dropped Files into paths.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { buildFerryApi, type IpcTransport } from '../shared/ipc/api';
import type { IpcResult } from '../shared/ipc/contract';

const transport: IpcTransport = {
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload) as Promise<IpcResult<unknown>>,
  on(channel, listener) {
    // The event object stays here: it carries `sender`, which must not reach the page.
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => void ipcRenderer.removeListener(channel, wrapped);
  },
};

contextBridge.exposeInMainWorld(
  'ferry',
  buildFerryApi(transport, (file) => webUtils.getPathForFile(file)),
);
