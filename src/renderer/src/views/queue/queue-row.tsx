import { memo, type MouseEvent } from 'react';
import { Icon, StateIcon } from '../../components/icons';
import { MiddleText } from '../../components/middle-text';
import { ProgressBar } from '../../components/progress-bar';
import { useI18n } from '../../i18n/i18n-context';
import type { RowModel } from '../../model/row-model';
import { rowText } from './row-text';

/** Stable callbacks shared by every row, so a row re-renders only when its own data changes. */
export interface RowHandlers {
  onRowClick(row: RowModel, event: MouseEvent): void;
  onPrimary(row: RowModel): void;
  onMore(row: RowModel, button: HTMLButtonElement): void;
}

export interface QueueRowProps {
  row: RowModel;
  index: number;
  start: number;
  active: boolean;
  selected: boolean;
  /** The clock, only for rows that count down (others get 0 and skip its ticks). */
  now: number;
  handlers: RowHandlers;
}

const primaryIcon = { pause: 'pause', resume: 'resume', retry: 'retry' } as const;
const primaryLabel = { pause: 'row.pause', resume: 'row.resume', retry: 'row.retry' } as const;

export const rowHeight = 48;

export const QueueRow = memo(function QueueRow({ row, index, start, active, selected, now, handlers }: QueueRowProps) {
  const i18n = useI18n();
  const { t, fmt } = i18n;
  const text = rowText(i18n, row, now);
  // Only the focused row's buttons are tab stops; arrows move between rows.
  const tabIndex = active ? 0 : -1;
  return (
    <div
      role="row"
      className={`queue-row state-${row.state}`}
      data-testid="queue-row"
      data-job-id={row.id}
      data-state={row.state}
      data-index={index}
      aria-rowindex={index + 2}
      aria-selected={selected}
      tabIndex={tabIndex}
      style={{ transform: `translateY(${start}px)` }}
      onClick={(event) => handlers.onRowClick(row, event)}
    >
      <div role="gridcell" className="cell cell-name">
        <StateIcon state={row.state} />
        <div className="name-block">
          <MiddleText className="file-name" head={row.nameHead} tail={row.nameTail} full={row.name} />
          {row.folder && (
            <MiddleText className="file-folder" head={row.folderHead} tail={row.folderTail} full={row.folder} />
          )}
        </div>
      </div>
      <div role="gridcell" className="cell cell-size">
        {fmt.bytes(row.size)}
      </div>
      <div role="gridcell" className="cell cell-progress">
        <ProgressBar
          fraction={row.fraction}
          tone={row.state}
          label={t('row.progressLabel', { name: row.name })}
          valueText={text.valueText}
        />
        <div className="progress-line" title={text.progress || undefined}>
          {text.progress}
        </div>
      </div>
      <div role="gridcell" className="cell cell-status">
        <div className={`status-word tone-${row.state}`} title={row.state === 'failed' ? text.word : undefined}>
          {text.word}
        </div>
        {text.detail && (
          <div className="status-detail" title={text.detailTitle}>
            {text.detail}
          </div>
        )}
      </div>
      <div role="gridcell" className="cell cell-actions">
        {row.primary !== 'none' && (
          <button
            type="button"
            className="icon-button"
            tabIndex={tabIndex}
            aria-label={t(primaryLabel[row.primary], { name: row.name })}
            title={t(`action.${row.primary}`)}
            onClick={() => handlers.onPrimary(row)}
          >
            <Icon name={primaryIcon[row.primary]} />
          </button>
        )}
        <button
          type="button"
          className="icon-button"
          tabIndex={tabIndex}
          aria-label={t('row.more', { name: row.name })}
          aria-haspopup="menu"
          title={t('row.more', { name: row.name })}
          onClick={(event) => handlers.onMore(row, event.currentTarget)}
        >
          <Icon name="more" />
        </button>
      </div>
    </div>
  );
});
