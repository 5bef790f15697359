import { useMemo, useState } from 'react';
import { useI18n } from '../../i18n/i18n-context';
import type { RowModel } from '../../model/row-model';
import { noSelection, type Selection } from '../../model/selection';
import type { QueueView as QueueData } from '../../state/queue-store';
import { useServices } from '../../state/services-context';
import { EmptyState } from './empty-state';
import { FailureBanner } from './failure-banner';
import { OverallBar } from './overall-bar';
import { QueueList } from './queue-list';
import { QueueToolbar, type QueueFilter } from './queue-toolbar';

const matches: Record<Exclude<QueueFilter, 'all'>, (row: RowModel) => boolean> = {
  failed: (row) => row.state === 'failed',
  stalled: (row) => row.state === 'stalled' || row.state === 'retrying',
};

export function QueueView({ queue, target }: { queue: QueueData; target: string }) {
  const { t } = useI18n();
  const { actions } = useServices();
  const [filter, setFilter] = useState<QueueFilter>('all');
  const [selection, setSelection] = useState<Selection>(noSelection);

  const rows = useMemo(
    () => (filter === 'all' ? queue.rows : queue.rows.filter(matches[filter])),
    [queue.rows, filter],
  );
  const selected = useMemo(
    () => (selection.ids.size === 0 ? [] : rows.filter((row) => selection.ids.has(row.id))),
    [rows, selection],
  );

  const addFiles = () => void actions.add('files');
  const addFolder = () => void actions.add('folder');

  if (!queue.loaded) return <div className="queue-view" aria-busy="true" />;
  if (queue.rows.length === 0) return <EmptyState target={target} onAddFiles={addFiles} onAddFolder={addFolder} />;

  const ids = (pick: (row: RowModel) => boolean) => selected.filter(pick).map((row) => row.id);
  const onSelectionAction = (action: 'pause' | 'resume' | 'retry' | 'cancel' | 'clear') => {
    if (action === 'pause') void actions.pause(ids((row) => row.canPause));
    else if (action === 'resume') void actions.resume(ids((row) => row.canResume));
    else if (action === 'retry') void actions.retry(ids((row) => row.canRetry));
    else if (action === 'cancel') actions.cancelWithUndo(selected);
    else setSelection(noSelection);
  };

  return (
    <div className="queue-view">
      <FailureBanner rows={queue.rows} failed={queue.counts.failed} onShow={() => setFilter('failed')} />
      <OverallBar
        overall={queue.overall}
        counts={queue.counts}
        onPauseAll={() => void actions.pause()}
        onResumeAll={() => void actions.resume()}
        onRetryFailed={() =>
          void actions.retry(queue.rows.filter((row) => row.state === 'failed').map((row) => row.id))
        }
        onClearFinished={() => void actions.clearFinished()}
      />
      <QueueToolbar
        filter={filter}
        onFilter={setFilter}
        total={queue.rows.length}
        counts={queue.counts}
        selected={selected.length}
        onSelectionAction={onSelectionAction}
        onAddFiles={addFiles}
        onAddFolder={addFolder}
      />
      {rows.length === 0 && filter !== 'all' ? (
        <div className="filter-empty">
          <p>{t('filter.none')}</p>
          <button type="button" className="button" onClick={() => setFilter('all')}>
            {t('filter.showAll')}
          </button>
        </div>
      ) : (
        <QueueList rows={rows} selection={selection} onSelection={setSelection} />
      )}
    </div>
  );
}
