import { useEffect, useMemo, useState } from 'react';
import { Icon } from '../../components/icons';
import { useI18n } from '../../i18n/i18n-context';
import type { RowModel } from '../../model/row-model';

const namesShown = 3;

/**
 * Files that need the user, said once above the list. Dismissing it hides it until more files have
 * failed than when it was dismissed; the rows, the Failed filter and "Retry failed" stay either way.
 */
export function FailureBanner({ rows, failed, onShow }: { rows: readonly RowModel[]; failed: number; onShow(): void }) {
  const { t, tp } = useI18n();
  const [dismissedAt, setDismissedAt] = useState(0);
  const names = useMemo(() => {
    if (failed === 0) return [];
    const found: string[] = [];
    for (const row of rows) {
      if (row.state !== 'failed') continue;
      found.push(row.name);
      if (found.length > namesShown) break;
    }
    return found;
  }, [rows, failed]);
  // Retried files lower the mark, so the next failure shows again.
  useEffect(() => {
    if (failed < dismissedAt) setDismissedAt(failed);
  }, [failed, dismissedAt]);
  if (failed === 0 || failed <= dismissedAt) return null;
  const shown = names.slice(0, namesShown).join(t('list.separator'));
  const list = failed > namesShown ? t('banner.andMore', { list: shown, count: failed - namesShown }) : shown;
  return (
    <div className="notice notice-error" role="status" data-testid="failure-banner">
      <Icon name="failed" className="notice-icon" />
      <p className="notice-text">{tp('banner.failedFiles', failed, { names: list })}</p>
      <button type="button" className="button button-small" onClick={onShow}>
        {t('banner.showFailed')}
      </button>
      <button
        type="button"
        className="icon-button"
        aria-label={t('action.dismiss')}
        title={t('action.dismiss')}
        onClick={() => setDismissedAt(failed)}
      >
        <Icon name="close" />
      </button>
    </div>
  );
}
