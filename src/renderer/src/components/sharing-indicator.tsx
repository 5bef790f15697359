import type { SharingView } from '../../../shared/ipc/sharing-view';
import { useNow } from '../hooks/use-now';
import { useI18n, type I18n } from '../i18n/i18n-context';
import { secondsLeft } from '../model/share-text';

/** Time left before sharing turns itself off: whole minutes (rounded up) above one, seconds below. */
export function timeLeft(i18n: I18n, seconds: number): string {
  return seconds >= 60 ? i18n.t('duration.m', { m: Math.ceil(seconds / 60) }) : i18n.fmt.countdown(seconds);
}

/** "● Sharing · 12 min left" in the header while other devices can send; opens the share panel. */
export function SharingIndicator({ view, onOpen }: { view: SharingView; onOpen(): void }) {
  const i18n = useI18n();
  const now = useNow(view.active);
  if (!view.active) return null;
  const left = secondsLeft(view, now);
  return (
    <button
      type="button"
      className="sharing-indicator"
      data-testid="sharing-indicator"
      title={i18n.t('header.sharingTitle')}
      onClick={onOpen}
    >
      <span className="sharing-dot" aria-hidden="true" />
      {i18n.t('header.sharing', { left: timeLeft(i18n, left) })}
    </button>
  );
}
