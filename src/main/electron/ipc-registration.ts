import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { invokeChannels } from '../../shared/ipc/contract';
import type { InvokeHandlers } from '../core/ipc-handlers';

/** The sending frame's URL; a frame that navigated away or was destroyed counts as no frame. */
function frameOf(event: IpcMainInvokeEvent): { url: string } | null {
  try {
    return event.senderFrame ? { url: event.senderFrame.url } : null;
  } catch {
    return null;
  }
}

/** One `ipcMain.handle` per contract channel, straight into the handler table (which checks sender and payload). */
export function registerIpcHandlers(ipcMain: IpcMain, handlers: InvokeHandlers): () => void {
  for (const channel of invokeChannels) {
    ipcMain.handle(channel, (event, payload: unknown) => handlers[channel]({ senderFrame: frameOf(event) }, payload));
  }
  return () => {
    for (const channel of invokeChannels) ipcMain.removeHandler(channel);
  };
}
