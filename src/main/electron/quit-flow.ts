import { app, dialog, type BrowserWindow } from 'electron';
import { decideQuit, decideWindowClose, quitPrompt } from '../core/quit-guard';

export interface QuitFlowDeps {
  window(): BrowserWindow | undefined;
  trayAvailable(): boolean;
  pending(): { active: number; queued: number };
  /** Stops uploads (kept resumable), closes the receiver, flushes the queue. */
  shutdown(): Promise<void>;
}

/**
 * Close hides to the tray; Quit asks first while uploads are pending, then shuts the core down
 * before the process exits so in-flight chunks are acknowledged and the queue is on disk.
 */
export function createQuitFlow(deps: QuitFlowDeps) {
  let confirmed = false;
  let quitting = false;

  async function confirm(): Promise<boolean> {
    const { active, queued } = deps.pending();
    const prompt = quitPrompt(active, queued);
    const options = {
      type: 'question' as const,
      message: prompt.message,
      detail: prompt.detail,
      buttons: prompt.buttons,
      defaultId: 1,
      cancelId: 1,
      noLink: true,
    };
    const parent = deps.window();
    const { response } = parent ? await dialog.showMessageBox(parent, options) : await dialog.showMessageBox(options);
    return response === 0;
  }

  app.on('before-quit', (event) => {
    if (quitting) return event.preventDefault();
    event.preventDefault();
    const { active, queued } = deps.pending();
    if (decideQuit({ activeUploads: active, queuedUploads: queued, confirmed }) === 'confirm') {
      void confirm().then((yes) => {
        if (!yes) return;
        confirmed = true;
        app.quit();
      });
      return;
    }
    quitting = true;
    // app.exit skips before-quit and the windows' close handlers, which would hide instead.
    void deps.shutdown().finally(() => app.exit(0));
  });

  return {
    onWindowClose(event: { preventDefault(): void }, window: BrowserWindow) {
      if (decideWindowClose({ quitting, trayAvailable: deps.trayAvailable() }) === 'hide') {
        event.preventDefault();
        window.hide();
        return;
      }
      if (!quitting) {
        // No tray to come back from: closing means quitting, with the same question first.
        event.preventDefault();
        app.quit();
      }
    },
  };
}
