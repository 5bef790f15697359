import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { useCallback, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { PopupMenu, type MenuAnchor, type MenuItem } from '../../components/popup-menu';
import { useNow } from '../../hooks/use-now';
import { useI18n } from '../../i18n/i18n-context';
import type { RowModel } from '../../model/row-model';
import { select, selectAll, noSelection, targetsOf, type Selection } from '../../model/selection';
import { useServices } from '../../state/services-context';
import { QueueRow, rowHeight, type RowHandlers } from './queue-row';
import { keyIntent } from './row-keys';
import { countsDown } from './row-text';

export interface QueueListProps {
  rows: readonly RowModel[];
  selection: Selection;
  onSelection(selection: Selection): void;
}

const estimateRowSize = () => rowHeight;
/** Rows rendered beyond each edge: enough for a wheel step or two, few enough to mount cheaply. */
const overscan = 6;
const orderOf = (rows: readonly RowModel[]) => rows.map((row) => row.id);

interface OpenMenu {
  readonly row: RowModel;
  readonly anchor: MenuAnchor;
  readonly button: HTMLButtonElement;
}

/**
 * The queue as a virtualized grid: only the rows in view (plus a few) exist in the DOM, each a
 * memoized component of fixed height, so 10,000 files scroll like 10. The focused row is always
 * kept rendered so keyboard focus never falls out of the list.
 */
export function QueueList({ rows, selection, onSelection }: QueueListProps) {
  const { t } = useI18n();
  const { actions } = useServices();
  const scroller = useRef<HTMLDivElement>(null);
  const [activeId, setActiveId] = useState<string | null>(null);
  const [menu, setMenu] = useState<OpenMenu | null>(null);
  const focusPending = useRef(false);

  // A store tick builds no index over all rows: the ids in order are listed only when a gesture needs them.
  const activeIndex = useMemo(
    () => (activeId !== null ? rows.findIndex((row) => row.id === activeId) : -1),
    [rows, activeId],
  );
  const focusIndex = activeIndex >= 0 ? activeIndex : rows.length > 0 ? 0 : -1;
  const latest = useRef({ rows, selection, onSelection });
  latest.current = { rows, selection, onSelection };

  const rangeExtractor = useCallback(
    (range: Range) => {
      const indexes = defaultRangeExtractor(range);
      if (focusIndex >= 0 && !indexes.includes(focusIndex)) indexes.push(focusIndex);
      return indexes.sort((a, b) => a - b);
    },
    [focusIndex],
  );
  // Stable, so a store tick does not make the virtualizer re-measure 10,000 items.
  const getItemKey = useCallback((index: number) => latest.current.rows[index]?.id ?? index, []);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: estimateRowSize,
    overscan,
    getItemKey,
    rangeExtractor,
  });

  // After a keyboard move, focus the row once it is rendered.
  useLayoutEffect(() => {
    if (!focusPending.current || focusIndex < 0) return;
    const element = scroller.current?.querySelector<HTMLElement>(`[data-index="${focusIndex}"]`);
    if (element) {
      focusPending.current = false;
      element.focus({ preventScroll: true });
    }
  });

  const handlers = useMemo<RowHandlers>(
    () => ({
      onRowClick(row, event: MouseEvent) {
        if ((event.target as HTMLElement).closest('button')) return;
        const { selection: current, rows: list } = latest.current;
        setActiveId(row.id);
        latest.current.onSelection(
          select(current, orderOf(list), row.id, { range: event.shiftKey, toggle: event.ctrlKey || event.metaKey }),
        );
      },
      onPrimary(row) {
        setActiveId(row.id);
        if (row.primary === 'pause') void actions.pause([row.id]);
        else if (row.primary === 'resume') void actions.resume([row.id]);
        else if (row.primary === 'retry') void actions.retry([row.id]);
      },
      onMore(row, button) {
        setActiveId(row.id);
        const rect = button.getBoundingClientRect();
        setMenu({ row, button, anchor: { top: rect.top, bottom: rect.bottom, right: rect.right } });
      },
    }),
    [actions],
  );

  const moveTo = (index: number, mode: 'select' | 'extend' | 'focus') => {
    const to = Math.min(rows.length - 1, Math.max(0, index));
    const row = rows[to];
    if (!row) return;
    setActiveId(row.id);
    if (mode !== 'focus')
      onSelection(select(selection, orderOf(rows), row.id, { range: mode === 'extend', toggle: false }));
    virtualizer.scrollToIndex(to, { align: 'auto' });
    focusPending.current = true;
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const focused = rows[focusIndex];
    if (!focused) return;
    const onRow = (event.target as HTMLElement).getAttribute('role') === 'row';
    const intent = keyIntent(event, onRow);
    if (!intent) return;
    event.preventDefault();
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? rowHeight * 10) / rowHeight) - 1);
    const targets = () => targetsOf(rows, selection, focused.id);
    switch (intent.kind) {
      case 'move': {
        const to = {
          up: focusIndex - 1,
          down: focusIndex + 1,
          pageUp: focusIndex - page,
          pageDown: focusIndex + page,
          first: 0,
          last: rows.length - 1,
        }[intent.to];
        moveTo(to, intent.selection);
        break;
      }
      case 'toggle': {
        const chosen = targets();
        const pausable = chosen.filter((row) => row.canPause).map((row) => row.id);
        if (pausable.length > 0) void actions.pause(pausable);
        else void actions.resume(chosen.filter((row) => row.canResume).map((row) => row.id));
        break;
      }
      case 'cancel':
        actions.cancelWithUndo(targets());
        break;
      case 'selectAll':
        onSelection(selectAll(orderOf(rows)));
        break;
      case 'clearSelection':
        onSelection(noSelection);
        break;
      case 'menu': {
        const button = scroller.current?.querySelector<HTMLButtonElement>(
          `[data-index="${focusIndex}"] [aria-haspopup="menu"]`,
        );
        if (button) handlers.onMore(focused, button);
        break;
      }
    }
  };

  const closeMenu = useCallback((returnFocus: boolean) => {
    setMenu((open) => {
      if (open && returnFocus && open.button.isConnected) open.button.focus();
      return null;
    });
  }, []);

  const menuItems = useMemo<MenuItem[]>(() => {
    if (!menu) return [];
    const row = rows.find((candidate) => candidate.id === menu.row.id) ?? menu.row;
    const items: MenuItem[] = [
      { id: 'reveal', label: t('action.reveal'), onSelect: () => void actions.reveal(row.id) },
    ];
    if (row.canCancel)
      items.push({
        id: 'cancel',
        label: t('action.cancel'),
        danger: true,
        onSelect: () => actions.cancelWithUndo(targetsOf(rows, selection, row.id)),
      });
    return items;
  }, [menu, rows, selection, actions, t]);

  const counting = rows.some(countsDown);
  const now = useNow(counting);
  const items = virtualizer.getVirtualItems();

  return (
    <div
      className="queue-grid"
      role="grid"
      aria-label={t('list.label')}
      aria-rowcount={rows.length + 1}
      aria-multiselectable="true"
      aria-describedby="queue-grid-help"
      onKeyDown={onKeyDown}
    >
      <p id="queue-grid-help" className="visually-hidden">
        {t('list.help')}
      </p>
      <div className="grid-head" role="rowgroup">
        <div className="queue-row head-row" role="row" aria-rowindex={1}>
          <div role="columnheader" className="cell cell-name">
            {t('column.name')}
          </div>
          <div role="columnheader" className="cell cell-size">
            {t('column.size')}
          </div>
          <div role="columnheader" className="cell cell-progress">
            {t('column.progress')}
          </div>
          <div role="columnheader" className="cell cell-status">
            {t('column.status')}
          </div>
          <div role="columnheader" className="cell cell-actions">
            <span className="visually-hidden">{t('column.actions')}</span>
          </div>
        </div>
      </div>
      <div className="grid-body" role="rowgroup" ref={scroller} onScroll={menu ? () => closeMenu(false) : undefined}>
        <div className="grid-sizer" style={{ height: `${virtualizer.getTotalSize()}px` }}>
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            return (
              <QueueRow
                key={row.id}
                row={row}
                index={item.index}
                start={item.start}
                active={item.index === focusIndex}
                selected={selection.ids.has(row.id)}
                now={countsDown(row) ? now : 0}
                handlers={handlers}
              />
            );
          })}
        </div>
      </div>
      {menu && (
        <PopupMenu
          label={t('row.more', { name: menu.row.name })}
          anchor={menu.anchor}
          items={menuItems}
          onClose={closeMenu}
        />
      )}
    </div>
  );
}
