import { memo } from 'react';
import { Icon } from '../../components/icons';
import { MiddleText } from '../../components/middle-text';
import { ProgressBar } from '../../components/progress-bar';
import { useI18n, type I18n } from '../../i18n/i18n-context';
import type { ArrivingRow, FinishedRow, Sender } from '../../model/received-model';

export function senderLabel({ t }: I18n, sender: Sender): string {
  switch (sender.kind) {
    case 'app':
      return t('received.fromThisApp');
    case 'browser': {
      const browser = t('received.fromBrowser', { browser: sender.browser, os: sender.os });
      return sender.address ? `${browser} · ${sender.address}` : browser;
    }
    case 'text':
      return sender.text;
    case 'unknown':
      return t('received.fromUnknown');
  }
}

/** An upload still coming in: live progress from /ws. Its content is never shown, only its name. */
export const ArrivingItem = memo(function ArrivingItem({ row }: { row: ArrivingRow }) {
  const i18n = useI18n();
  const { t, fmt } = i18n;
  const percent = row.fraction === null ? null : fmt.percent(row.fraction);
  const line = [percent, row.bytesPerSecond > 0 ? fmt.speed(row.bytesPerSecond) : null].filter(Boolean).join(' · ');
  const size = row.size === null ? '—' : fmt.bytes(row.size);
  return (
    <li className="received-row is-arriving" data-testid="arriving-row" data-upload-id={row.uploadId} data-status={row.status}>
      <Icon name={row.status === 'paused' ? 'paused' : 'arriving'} className={`received-icon tone-${row.status === 'paused' ? 'paused' : 'uploading'}`} />
      <div className="name-block">
        <MiddleText className="file-name" head={row.nameHead} tail={row.nameTail} full={row.name} />
        <span className="file-folder">{senderLabel(i18n, row.sender)}</span>
      </div>
      <span className="cell-size">{size}</span>
      <div className="cell-progress">
        <ProgressBar fraction={row.fraction} tone={row.status === 'paused' ? 'paused' : 'uploading'} label={t('received.progressLabel', { name: row.name })} valueText={row.size === null ? fmt.bytes(row.stored) : t('row.valueText', { stored: fmt.bytes(row.stored), size, percent: percent ?? '' })} />
        <div className="progress-line">{line || fmt.bytes(row.stored)}</div>
      </div>
      <span className={`status-word tone-${row.status === 'paused' ? 'paused' : 'uploading'}`} title={t(`received.state.${row.status}`)}>
        {t(`received.state.${row.status}`)}
      </span>
    </li>
  );
});

export interface FinishedItemProps {
  row: FinishedRow;
  index: number;
  count: number;
  start: number;
  onOpen(uploadId: string): void;
  onReveal(uploadId: string): void;
}

/** A finished file: Open and Show in folder hand it to the OS; nothing received is rendered here. */
export const FinishedItem = memo(function FinishedItem({ row, index, count, start, onOpen, onReveal }: FinishedItemProps) {
  const i18n = useI18n();
  const { t, fmt } = i18n;
  const { file } = row;
  const from = senderLabel(i18n, row.sender);
  const folder = file.relativePath.includes('/') ? file.relativePath.slice(0, file.relativePath.lastIndexOf('/')) : '';
  return (
    <div
      role="listitem"
      className="received-row is-finished"
      data-testid="received-row"
      data-upload-id={file.uploadId}
      aria-posinset={index + 1}
      aria-setsize={count}
      style={{ transform: `translateY(${start}px)` }}
    >
      <Icon name="file" className="received-icon" />
      <div className="name-block">
        <MiddleText className="file-name" head={row.nameHead} tail={row.nameTail} full={file.name} />
        <span className="file-folder" title={folder ? `${from} · ${folder}` : from}>
          {folder ? `${from} · ${folder}` : from}
        </span>
      </div>
      <span className="cell-size">{fmt.bytes(file.size)}</span>
      <span className="cell-time">{fmt.time(file.finishedAt)}</span>
      <div className="cell-buttons">
        <button type="button" className="button button-small" aria-label={t('received.openLabel', { name: file.name })} onClick={() => onOpen(file.uploadId)}>
          {t('action.open')}
        </button>
        <button type="button" className="button button-small" aria-label={t('received.revealLabel', { name: file.name })} onClick={() => onReveal(file.uploadId)}>
          {t('action.reveal')}
        </button>
      </div>
    </div>
  );
});
