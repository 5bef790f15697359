import { useEffect } from 'react';
import type { AddSummary } from '../../../shared/ipc/job-view';
import { useI18n, type I18n } from '../i18n/i18n-context';
import type { Notice } from '../state/notice';
import { Icon } from './icons';

const namesShown = 3;

function listOf(i18n: I18n, names: readonly string[]): string {
  const shown = names.slice(0, namesShown).join(i18n.t('list.separator'));
  return names.length > namesShown
    ? i18n.t('banner.andMore', { list: shown, count: names.length - namesShown })
    : shown;
}

export function summaryLines(i18n: I18n, summary: AddSummary): string[] {
  const lines: string[] = [];
  if (summary.added > 0) lines.push(i18n.tp('banner.added', summary.added));
  if (summary.duplicates.length > 0)
    lines.push(i18n.tp('banner.duplicates', summary.duplicates.length, { names: listOf(i18n, summary.duplicates) }));
  if (summary.skipped.length > 0) {
    const items = summary.skipped.map((skip) => i18n.t('banner.skippedItem', { name: skip.name, reason: skip.reason }));
    lines.push(i18n.tp('banner.skipped', summary.skipped.length, { items: listOf(i18n, items) }));
  }
  if (lines.length === 0) lines.push(i18n.t('banner.nothingAdded'));
  return lines;
}

const autoDismissMs = 6000;

/** A quiet banner under the header: what an add did, or an action that failed. Never a modal. */
export function NoticeBanner({ notice, onDismiss }: { notice: Notice; onDismiss(id: number): void }) {
  const i18n = useI18n();
  const clean =
    notice.kind === 'added' && notice.summary.duplicates.length === 0 && notice.summary.skipped.length === 0;
  useEffect(() => {
    // Plain confirmations leave by themselves; anything the user may want to read stays.
    if (!clean) return;
    const timer = window.setTimeout(() => onDismiss(notice.id), autoDismissMs);
    return () => window.clearTimeout(timer);
  }, [clean, notice.id, onDismiss]);

  const lines =
    notice.kind === 'added'
      ? summaryLines(i18n, notice.summary)
      : [i18n.t('banner.failed', { message: notice.message })];
  const tone = notice.kind === 'error' ? 'error' : clean ? 'info' : 'warning';
  return (
    <div className={`notice notice-${tone}`} data-testid="notice">
      <Icon name={tone === 'error' ? 'failed' : tone === 'warning' ? 'stalled' : 'info'} className="notice-icon" />
      <div className="notice-text">
        {lines.map((line) => (
          <p key={line}>{line}</p>
        ))}
      </div>
      <button
        type="button"
        className="icon-button"
        aria-label={i18n.t('action.dismiss')}
        title={i18n.t('action.dismiss')}
        onClick={() => onDismiss(notice.id)}
      >
        <Icon name="close" />
      </button>
    </div>
  );
}

export function NoticeArea({ notices, onDismiss }: { notices: readonly Notice[]; onDismiss(id: number): void }) {
  const { t } = useI18n();
  return (
    <div className="notices" role="status" aria-label={t('banner.region')}>
      {notices.map((notice) => (
        <NoticeBanner key={notice.id} notice={notice} onDismiss={onDismiss} />
      ))}
    </div>
  );
}
