export type CloseDecision = 'hide' | 'close';
export type QuitDecision = 'quit' | 'confirm';

/**
 * Closing the window hides it to the tray (uploads go on); it really closes only when the app is
 * quitting, or when there is no tray to come back from (then closing means quitting).
 */
export function decideWindowClose(state: { quitting: boolean; trayAvailable: boolean }): CloseDecision {
  return state.quitting || !state.trayAvailable ? 'close' : 'hide';
}

/** Quitting while bytes are still to send asks first; an answer already given is not asked again. */
export function decideQuit(state: { activeUploads: number; queuedUploads: number; confirmed: boolean }): QuitDecision {
  if (state.confirmed) return 'quit';
  return state.activeUploads > 0 || state.queuedUploads > 0 ? 'confirm' : 'quit';
}

export interface QuitPrompt {
  message: string;
  detail: string;
  buttons: [quit: string, cancel: string];
}

export function quitPrompt(activeUploads: number, queuedUploads: number): QuitPrompt {
  const pending = activeUploads + queuedUploads;
  return {
    message: pending === 1 ? 'An upload is still in progress.' : `${pending} uploads are still in progress.`,
    detail: 'They stop now and resume the next time Ferry starts.',
    buttons: ['Quit', 'Keep uploading'],
  };
}
