/** Which rows are selected, and the row a Shift-click or Shift-arrow extends from. */
export interface Selection {
  readonly ids: ReadonlySet<string>;
  readonly anchor: string | null;
}

export const noSelection: Selection = { ids: new Set(), anchor: null };

export interface SelectGesture {
  /** Shift: extend from the anchor. */
  readonly range: boolean;
  /** Ctrl/Cmd: add or remove one row. */
  readonly toggle: boolean;
}

/** Applies a click (or an arrow move with modifiers) on `id` in the list `order`. */
export function select(selection: Selection, order: readonly string[], id: string, gesture: SelectGesture): Selection {
  if (gesture.range && selection.anchor !== null) {
    const from = order.indexOf(selection.anchor);
    const to = order.indexOf(id);
    if (from >= 0 && to >= 0) {
      const [low, high] = from <= to ? [from, to] : [to, from];
      const ids = new Set(gesture.toggle ? selection.ids : []);
      for (let index = low; index <= high; index += 1) ids.add(order[index]!);
      return { ids, anchor: selection.anchor };
    }
  }
  if (gesture.toggle) {
    const ids = new Set(selection.ids);
    if (ids.has(id)) ids.delete(id);
    else ids.add(id);
    return { ids, anchor: id };
  }
  return { ids: new Set([id]), anchor: id };
}

export function selectAll(order: readonly string[]): Selection {
  return { ids: new Set(order), anchor: order[0] ?? null };
}

/**
 * The rows an action on `focusedId` applies to: the whole selection when the focused row is part
 * of a selection of several, otherwise just the focused row.
 */
export function targetsOf<T extends { id: string }>(rows: readonly T[], selection: Selection, focusedId: string): T[] {
  if (selection.ids.size > 1 && selection.ids.has(focusedId)) return rows.filter((row) => selection.ids.has(row.id));
  const focused = rows.find((row) => row.id === focusedId);
  return focused ? [focused] : [];
}
