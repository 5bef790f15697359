import { useI18n } from '../i18n/i18n-context';
import { Icon } from './icons';

/** Shown while files are dragged over the window; it takes no pointer events, so the drop lands on the window. */
export function DropOverlay({ visible, target }: { visible: boolean; target: string }) {
  const { t } = useI18n();
  if (!visible) return null;
  return (
    <div className="drop-overlay" aria-hidden="true">
      <div className="drop-card">
        <Icon name="drop" className="drop-icon" />
        <p className="drop-title">{t('drop.overlay', { target })}</p>
        <p className="drop-hint">{t('drop.hint')}</p>
      </div>
    </div>
  );
}
