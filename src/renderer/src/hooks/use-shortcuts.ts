import { useEffect } from 'react';

export interface Shortcuts {
  addFiles(): void;
  addFolder(): void;
  openSettings(): void;
  /** Takes back a cancel that is still waiting; false when there is none (the key then does its usual job). */
  undo(): boolean;
}

const isTextField = (target: EventTarget | null) =>
  target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement;

export const isMac = () => /Mac|iPhone|iPad/.test(navigator.platform);

/** Window-wide keys: Ctrl/Cmd+O adds files, Ctrl/Cmd+Shift+O a folder, Ctrl/Cmd+, opens Settings, Ctrl/Cmd+Z undoes a cancel. */
export function useShortcuts(shortcuts: Shortcuts): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const command = isMac() ? event.metaKey : event.ctrlKey;
      if (!command || event.altKey) return;
      const key = event.key.toLowerCase();
      if (key === 'o') {
        event.preventDefault();
        if (event.shiftKey) shortcuts.addFolder();
        else shortcuts.addFiles();
      } else if (key === ',' && !event.shiftKey) {
        event.preventDefault();
        shortcuts.openSettings();
      } else if (key === 'z' && !event.shiftKey && !isTextField(event.target)) {
        if (shortcuts.undo()) event.preventDefault();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [shortcuts]);
}
