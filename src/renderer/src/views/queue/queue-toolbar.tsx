import { Icon } from '../../components/icons';
import { useI18n } from '../../i18n/i18n-context';
import type { StateCounts } from '../../model/queue-state';

export type QueueFilter = 'all' | 'failed' | 'stalled';

export interface QueueToolbarProps {
  filter: QueueFilter;
  onFilter(filter: QueueFilter): void;
  total: number;
  counts: StateCounts;
  selected: number;
  onSelectionAction(action: 'pause' | 'resume' | 'retry' | 'cancel' | 'clear'): void;
  onAddFiles(): void;
  onAddFolder(): void;
}

export const stalledCount = (counts: StateCounts) => counts.stalled + counts.retrying;

export function QueueToolbar({
  filter,
  onFilter,
  total,
  counts,
  selected,
  onSelectionAction,
  onAddFiles,
  onAddFolder,
}: QueueToolbarProps) {
  const { t, tp, fmt } = useI18n();
  const filters: Array<{ id: QueueFilter; label: string; count: number; tone: string }> = [
    { id: 'all', label: t('filter.all'), count: total, tone: 'all' },
    { id: 'failed', label: t('filter.failed'), count: counts.failed, tone: 'failed' },
    { id: 'stalled', label: t('filter.stalled'), count: stalledCount(counts), tone: 'stalled' },
  ];
  return (
    <div className="toolbar">
      {selected > 1 ? (
        <div className="selection-bar" role="group" aria-label={t('selection.label')}>
          <span className="selection-count">{tp('selection.count', selected)}</span>
          <button type="button" className="button" onClick={() => onSelectionAction('pause')}>
            {t('action.pause')}
          </button>
          <button type="button" className="button" onClick={() => onSelectionAction('resume')}>
            {t('action.resume')}
          </button>
          <button type="button" className="button" onClick={() => onSelectionAction('retry')}>
            {t('action.retry')}
          </button>
          <button type="button" className="button button-danger" onClick={() => onSelectionAction('cancel')}>
            {t('action.cancel')}
          </button>
          <button type="button" className="button button-quiet" onClick={() => onSelectionAction('clear')}>
            {t('selection.clear')}
          </button>
        </div>
      ) : (
        <div className="filters" role="group" aria-label={t('filter.label')}>
          {filters
            .filter((entry) => entry.id === 'all' || entry.count > 0 || filter === entry.id)
            .map((entry) => (
              <button
                key={entry.id}
                type="button"
                className={`chip chip-${entry.tone}`}
                aria-pressed={filter === entry.id}
                onClick={() => onFilter(filter === entry.id ? 'all' : entry.id)}
              >
                {entry.label}
                <span className="chip-count">{fmt.count(entry.count)}</span>
              </button>
            ))}
        </div>
      )}
      <div className="toolbar-add">
        <button type="button" className="button" onClick={onAddFiles}>
          <Icon name="add" />
          {t('action.addFiles')}
        </button>
        <button type="button" className="button" onClick={onAddFolder}>
          <Icon name="folder" />
          {t('action.addFolder')}
        </button>
      </div>
    </div>
  );
}
