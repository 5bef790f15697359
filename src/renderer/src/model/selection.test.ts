import { describe, expect, it } from 'vitest';
import { noSelection, select, selectAll, targetsOf } from './selection';

const order = ['a', 'b', 'c', 'd', 'e'];
const plain = { range: false, toggle: false };

describe('selection', () => {
  it('a plain click selects one row and sets the anchor', () => {
    expect(select(selectAll(order), order, 'c', plain)).toEqual({ ids: new Set(['c']), anchor: 'c' });
  });

  it('Ctrl/Cmd-click toggles one row', () => {
    const one = select(noSelection, order, 'b', plain);
    const two = select(one, order, 'd', { range: false, toggle: true });
    expect([...two.ids]).toEqual(['b', 'd']);
    expect([...select(two, order, 'b', { range: false, toggle: true }).ids]).toEqual(['d']);
  });

  it('Shift-click selects the range from the anchor, in either direction', () => {
    const anchored = select(noSelection, order, 'd', plain);
    expect([...select(anchored, order, 'b', { range: true, toggle: false }).ids]).toEqual(['b', 'c', 'd']);
    expect(select(anchored, order, 'b', { range: true, toggle: false }).anchor).toBe('d');
  });

  it('Shift-click without an anchor acts as a plain click', () => {
    expect(select(noSelection, order, 'c', { range: true, toggle: false })).toEqual({
      ids: new Set(['c']),
      anchor: 'c',
    });
  });

  it('actions apply to the selection only when the focused row is in it', () => {
    const rows = order.map((id) => ({ id }));
    const selection = selectAll(['a', 'b']);
    expect(targetsOf(rows, selection, 'a').map((row) => row.id)).toEqual(['a', 'b']);
    expect(targetsOf(rows, selection, 'e').map((row) => row.id)).toEqual(['e']);
    expect(targetsOf(rows, noSelection, 'zz')).toEqual([]);
  });
});
