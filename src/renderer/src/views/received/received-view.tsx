import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useMemo, useRef } from 'react';
import { messageOf, unwrap } from '../../api/ferry';
import { Icon } from '../../components/icons';
import { useI18n } from '../../i18n/i18n-context';
import { receivedRows, type ArrivingRow, type FinishedRow } from '../../model/received-model';
import type { QueueView } from '../../state/queue-store';
import { useServices } from '../../state/services-context';
import { useStore } from '../../state/store';
import { ArrivingItem, FinishedItem } from './received-rows';

const rowHeight = 48;
const estimateRowSize = () => rowHeight;

function FinishedList({ rows }: { rows: readonly FinishedRow[] }) {
  const { t } = useI18n();
  const services = useServices();
  const scroller = useRef<HTMLDivElement>(null);
  const getItemKey = useCallback((index: number) => rows[index]?.key ?? index, [rows]);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: estimateRowSize, overscan: 8, getItemKey });
  const fail = useCallback((error: unknown) => services.notify({ kind: 'error', message: messageOf(error) }), [services]);
  const onOpen = useCallback((uploadId: string) => void unwrap(services.ferry.receivedOpen({ uploadId })).catch(fail), [services, fail]);
  const onReveal = useCallback((uploadId: string) => void unwrap(services.ferry.receivedReveal({ uploadId })).catch(fail), [services, fail]);
  return (
    <div className="received-scroll" ref={scroller}>
      <div className="grid-sizer" role="list" aria-label={t('received.label')} style={{ height: `${virtualizer.getTotalSize()}px` }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index];
          return row ? <FinishedItem key={row.key} row={row} index={item.index} count={rows.length} start={item.start} onOpen={onOpen} onReveal={onReveal} /> : null;
        })}
      </div>
    </div>
  );
}

/** What arrived at this computer's receiver, from anyone, newest first. */
export function ReceivedView({ queue, receiveFolder }: { queue: QueueView; receiveFolder: string }) {
  const { t, fmt } = useI18n();
  const services = useServices();
  const received = useStore(services.received);
  const rows = useMemo(() => receivedRows(queue.events, received.files, queue.ownUploadIds), [queue.events, received.files, queue.ownUploadIds]);
  const arriving = useMemo(() => rows.filter((row): row is ArrivingRow => row.kind === 'arriving'), [rows]);
  const finished = useMemo(() => rows.filter((row): row is FinishedRow => row.kind === 'finished'), [rows]);

  if (received.loaded && rows.length === 0) {
    return (
      <div className="empty-state" data-testid="empty-received">
        <div className="drop-target is-quiet">
          <Icon name="arriving" className="drop-target-icon" />
          <h2 className="empty-title">{t('received.emptyTitle')}</h2>
          <p className="empty-line">{t('received.emptyLine', { folder: receiveFolder })}</p>
        </div>
      </div>
    );
  }

  return (
    <div className="received-view">
      <p className="received-folder">{t('received.savedIn', { folder: receiveFolder })}</p>
      {arriving.length > 0 && (
        <section className="received-section is-arriving" aria-labelledby="received-arriving">
          <h2 id="received-arriving" className="section-title">
            {t('received.arriving')} <span className="section-count">{fmt.count(arriving.length)}</span>
          </h2>
          {/* Focusable so its scrolling works from the keyboard; it has no buttons of its own. */}
          <ul className="arriving-list" tabIndex={0} aria-labelledby="received-arriving">
            {arriving.map((row) => (
              <ArrivingItem key={row.key} row={row} />
            ))}
          </ul>
        </section>
      )}
      <section className="received-section is-finished" aria-labelledby="received-finished">
        <h2 id="received-finished" className="section-title">
          {t('received.finished')} <span className="section-count">{fmt.count(finished.length)}</span>
        </h2>
        <FinishedList rows={finished} />
      </section>
    </div>
  );
}
