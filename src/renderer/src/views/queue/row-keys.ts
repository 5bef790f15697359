import type { KeyboardEvent } from 'react';

export type KeyIntent =
  /** `select`: the row moved to becomes the selection; `extend`: Shift grows it; `focus`: Ctrl/Cmd moves focus only. */
  | {
      kind: 'move';
      to: 'up' | 'down' | 'pageUp' | 'pageDown' | 'first' | 'last';
      selection: 'select' | 'extend' | 'focus';
    }
  | { kind: 'toggle' }
  | { kind: 'cancel' }
  | { kind: 'selectAll' }
  | { kind: 'clearSelection' }
  | { kind: 'menu' };

const moves: Record<string, 'up' | 'down' | 'pageUp' | 'pageDown' | 'first' | 'last'> = {
  ArrowUp: 'up',
  ArrowDown: 'down',
  PageUp: 'pageUp',
  PageDown: 'pageDown',
  Home: 'first',
  End: 'last',
};

/**
 * What a key in the queue means. Space and Delete act only when a row itself has focus (on a
 * button, Space presses the button); arrows work from a row's buttons too.
 */
export function keyIntent(
  event: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey'>,
  onRow: boolean,
): KeyIntent | null {
  const command = event.ctrlKey || event.metaKey;
  const to = moves[event.key];
  if (to && !event.altKey)
    return { kind: 'move', to, selection: event.shiftKey ? 'extend' : command ? 'focus' : 'select' };
  if (command && event.key.toLowerCase() === 'a') return { kind: 'selectAll' };
  if (event.key === 'ContextMenu' || (event.shiftKey && event.key === 'F10')) return { kind: 'menu' };
  if (event.key === 'Escape') return { kind: 'clearSelection' };
  if (!onRow) return null;
  if (event.key === ' ' && !command) return { kind: 'toggle' };
  if (event.key === 'Delete' || (event.key === 'Backspace' && event.metaKey)) return { kind: 'cancel' };
  return null;
}
