import { isMac } from '../hooks/use-shortcuts';
import { useI18n } from '../i18n/i18n-context';
import type { PendingCancel } from '../state/queue-actions';

export function UndoToast({ pending, onUndo }: { pending: PendingCancel | null; onUndo(): void }) {
  const { t, tp } = useI18n();
  return (
    <div className="toast-region" role="status">
      {pending && (
        <div className="toast" data-testid="undo-toast">
          <span className="toast-text">
            {pending.name !== undefined
              ? tp('toast.canceling', 1, { name: pending.name })
              : tp('toast.canceling', pending.ids.length)}
          </span>
          <button
            type="button"
            className="button button-quiet"
            aria-keyshortcuts={isMac() ? 'Meta+Z' : 'Control+Z'}
            title={isMac() ? '⌘Z' : 'Ctrl+Z'}
            onClick={onUndo}
          >
            {t('action.undo')}
          </button>
        </div>
      )}
    </div>
  );
}
