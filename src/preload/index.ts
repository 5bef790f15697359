// Preload: exposes one typed function per IPC message through contextBridge (never raw ipcRenderer).
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('ferry', { version: '0.1.0' });
