import { useEffect, useRef, useState } from 'react';
import type { SharingView } from '../../../../shared/ipc/sharing-view';
import { Icon } from '../../components/icons';
import { useNow } from '../../hooks/use-now';
import { useI18n } from '../../i18n/i18n-context';
import { secondsLeft, spacedPin } from '../../model/share-text';
import type { SharingStore } from '../../state/sharing-store';

export const sharePanelId = 'share-panel';

/** Copies from the field itself: the app's session refuses clipboard permissions, a copy command needs none. */
async function copyFrom(input: HTMLInputElement): Promise<boolean> {
  input.select();
  if (document.execCommand('copy')) return true;
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch {
    return false;
  }
}

/** What another device needs to send here, and who is connected: shown while sharing is on. */
export function SharePanel({ view, pin, sharing }: { view: SharingView; pin: string | null; sharing: SharingStore }) {
  const { t, tp, fmt } = useI18n();
  const now = useNow(view.active);
  const link = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = window.setTimeout(() => setCopied(false), 2000);
    return () => window.clearTimeout(timer);
  }, [copied]);

  const left = secondsLeft(view, now);
  return (
    <section
      id={sharePanelId}
      className="share-panel"
      data-testid="share-panel"
      aria-labelledby="share-title"
      tabIndex={-1}
    >
      <div className="share-main">
        {view.qr && (
          <img
            className="share-qr"
            src={view.qr}
            width={200}
            height={200}
            alt={t('share.qrAlt')}
            data-testid="share-qr"
          />
        )}
        <div className="share-details">
          <h3 id="share-title" className="share-title">
            {t('share.title')}
          </h3>
          <p className="share-text">{t('share.scan')}</p>
          <div className="share-link-row">
            <input
              ref={link}
              className="input share-link"
              type="text"
              readOnly
              value={view.link ?? ''}
              aria-label={t('share.link')}
              data-testid="share-link"
              spellCheck={false}
              onFocus={(event) => event.target.select()}
            />
            <button
              type="button"
              className="button"
              onClick={() => void (link.current && copyFrom(link.current).then(setCopied))}
            >
              <Icon name={copied ? 'check' : 'copy'} />
              {copied ? t('share.copied') : t('share.copy')}
            </button>
          </div>
          <p className="visually-hidden" role="status">
            {copied ? t('share.copied') : ''}
          </p>
          {pin && (
            <p className="share-pin">
              <span className="share-pin-label">{t('share.pin')}</span>
              <span className="share-pin-value" data-testid="share-pin">
                {spacedPin(pin)}
              </span>
            </p>
          )}
          <p className="share-countdown" data-testid="share-countdown">
            {t('share.turnsOff', { time: fmt.countdown(left) })}
          </p>
          <div className="share-actions">
            <button
              type="button"
              className="button"
              title={t('share.newLinkTitle')}
              onClick={() => void sharing.revoke()}
            >
              <Icon name="retry" />
              {t('share.newLink')}
            </button>
            <button type="button" className="button" onClick={() => void sharing.set(false)}>
              {t('share.turnOff')}
            </button>
          </div>
        </div>
      </div>
      <div className="share-devices">
        <h4 className="share-subtitle" id="share-devices">
          {t('share.devices')}
        </h4>
        {view.guests.length === 0 ? (
          <p className="share-empty">{t('share.noDevices')}</p>
        ) : (
          <ul className="device-list" aria-labelledby="share-devices">
            {view.guests.map((guest) => (
              <li key={guest.id} className="device-row" data-testid="share-device">
                <div className="device-text">
                  <span className="device-name">{guest.label}</span>
                  <span className="device-detail" title={guest.userAgent}>
                    {[
                      guest.address,
                      guest.uploads > 0 ? tp('share.uploads', guest.uploads) : '',
                      view.acceptRequired ? t(guest.approved ? 'share.accepted' : 'share.notAccepted') : '',
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </span>
                </div>
                <button
                  type="button"
                  className="button button-small"
                  aria-label={t('share.disconnectLabel', { device: guest.label, address: guest.address })}
                  onClick={() => void sharing.revokeGuest(guest.id)}
                >
                  {t('share.disconnect')}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <p className="share-privacy">
        <Icon name="info" />
        {t('share.privacy')}
      </p>
    </section>
  );
}
