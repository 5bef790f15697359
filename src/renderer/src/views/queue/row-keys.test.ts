import { describe, expect, it } from 'vitest';
import { keyIntent } from './row-keys';

const key = (
  name: string,
  modifiers: Partial<{ shiftKey: boolean; ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {},
) => ({ key: name, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, ...modifiers });

describe('queue keys', () => {
  it('arrows move and select; Shift extends; Ctrl/Cmd moves focus only', () => {
    expect(keyIntent(key('ArrowDown'), true)).toEqual({ kind: 'move', to: 'down', selection: 'select' });
    expect(keyIntent(key('ArrowUp', { shiftKey: true }), true)).toEqual({
      kind: 'move',
      to: 'up',
      selection: 'extend',
    });
    expect(keyIntent(key('End', { ctrlKey: true }), false)).toEqual({ kind: 'move', to: 'last', selection: 'focus' });
  });

  it('Space pauses or resumes and Delete cancels, only on a row (a button takes its own Space)', () => {
    expect(keyIntent(key(' '), true)).toEqual({ kind: 'toggle' });
    expect(keyIntent(key(' '), false)).toBeNull();
    expect(keyIntent(key('Delete'), true)).toEqual({ kind: 'cancel' });
    expect(keyIntent(key('Backspace', { metaKey: true }), true)).toEqual({ kind: 'cancel' });
    expect(keyIntent(key('Backspace'), true)).toBeNull();
  });

  it('Ctrl/Cmd+A selects all, Escape clears, the menu key opens the row menu', () => {
    expect(keyIntent(key('a', { metaKey: true }), false)).toEqual({ kind: 'selectAll' });
    expect(keyIntent(key('Escape'), false)).toEqual({ kind: 'clearSelection' });
    expect(keyIntent(key('F10', { shiftKey: true }), false)).toEqual({ kind: 'menu' });
    expect(keyIntent(key('x'), true)).toBeNull();
  });
});
