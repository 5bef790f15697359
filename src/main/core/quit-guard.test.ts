import { describe, expect, it } from 'vitest';
import { decideQuit, decideWindowClose, quitPrompt } from './quit-guard';

describe('quit guard', () => {
  it('hides the window to the tray unless quitting or there is no tray', () => {
    expect(decideWindowClose({ quitting: false, trayAvailable: true })).toBe('hide');
    expect(decideWindowClose({ quitting: true, trayAvailable: true })).toBe('close');
    expect(decideWindowClose({ quitting: false, trayAvailable: false })).toBe('close');
  });

  it('asks before quitting while uploads run or wait, once', () => {
    expect(decideQuit({ activeUploads: 2, queuedUploads: 0, confirmed: false })).toBe('confirm');
    expect(decideQuit({ activeUploads: 0, queuedUploads: 5, confirmed: false })).toBe('confirm');
    expect(decideQuit({ activeUploads: 2, queuedUploads: 5, confirmed: true })).toBe('quit');
    expect(decideQuit({ activeUploads: 0, queuedUploads: 0, confirmed: false })).toBe('quit');
  });

  it('words the prompt by count', () => {
    expect(quitPrompt(1, 0).message).toBe('An upload is still in progress.');
    expect(quitPrompt(2, 3).message).toBe('5 uploads are still in progress.');
    expect(quitPrompt(1, 0).buttons).toEqual(['Quit', 'Keep uploading']);
  });
});
