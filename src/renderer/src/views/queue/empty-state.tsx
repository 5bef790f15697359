import { Icon } from '../../components/icons';
import { isMac } from '../../hooks/use-shortcuts';
import { useI18n } from '../../i18n/i18n-context';

/** The first thing a new user sees: one big drop target, two buttons, one line on what happens. */
export function EmptyState({
  target,
  onAddFiles,
  onAddFolder,
}: {
  target: string;
  onAddFiles(): void;
  onAddFolder(): void;
}) {
  const { t } = useI18n();
  return (
    <div className="empty-state" data-testid="empty-queue">
      <div className="drop-target">
        <Icon name="drop" className="drop-target-icon" />
        <h2 className="empty-title">{t('empty.title')}</h2>
        <p className="empty-line">{t('empty.line', { target })}</p>
        <div className="empty-actions">
          <button type="button" className="button button-primary button-large" onClick={onAddFiles}>
            {t('action.addFiles')}
          </button>
          <button type="button" className="button button-large" onClick={onAddFolder}>
            {t('action.addFolder')}
          </button>
        </div>
        <p className="empty-shortcut">{t('empty.shortcut', { keys: isMac() ? '⌘O' : 'Ctrl+O' })}</p>
      </div>
    </div>
  );
}
