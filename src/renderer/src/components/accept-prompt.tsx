import { useEffect, useRef, useState } from 'react';
import type { SharingRequestView } from '../../../shared/ipc/sharing-view';
import { useI18n } from '../i18n/i18n-context';
import { Icon } from './icons';

const namesShown = 5;

export interface AcceptPromptProps {
  request: SharingRequestView;
  /** Other devices waiting after this one. */
  waiting: number;
  onDecide(accept: boolean): Promise<void>;
}

/**
 * A new device's first files wait for this choice, so it is a modal (UI.md: modals are for choices).
 * The native <dialog> keeps focus inside and the rest of the window inert; Escape declines. Names
 * are shown as text only, never interpreted.
 */
export function AcceptPrompt({ request, waiting, onDecide }: AcceptPromptProps) {
  const i18n = useI18n();
  const { t, tp, fmt } = i18n;
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const element = dialog.current;
    // The first button (Decline) gets the focus: a stray Enter never lets a device in.
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  const decide = (accept: boolean) => {
    if (busy) return;
    setBusy(true);
    void onDecide(accept).finally(() => setBusy(false));
  };

  const { names, count, totalBytes } = request.files;
  const shown = names.slice(0, namesShown);
  const more = Math.max(0, count - shown.length);
  return (
    <dialog
      ref={dialog}
      className="modal accept-prompt"
      data-testid="accept-prompt"
      aria-labelledby="accept-title"
      aria-describedby="accept-summary"
      onCancel={(event) => {
        event.preventDefault();
        decide(false);
      }}
    >
      <div className="modal-head">
        <span className="modal-icon" aria-hidden="true">
          <Icon name="arriving" />
        </span>
        <h2 id="accept-title" className="modal-title">
          {t('prompt.title', { device: request.label })}
        </h2>
      </div>
      <p id="accept-summary" className="modal-text">
        {tp('prompt.files', count, { address: request.address, size: fmt.bytes(totalBytes) })}
      </p>
      {shown.length > 0 && (
        <ul className="prompt-files" data-testid="accept-files">
          {shown.map((name, index) => (
            <li key={`${index}:${name}`} className="prompt-file">
              <Icon name="file" />
              <span className="prompt-file-name">{name}</span>
            </li>
          ))}
          {more > 0 && <li className="prompt-file is-more">{t('prompt.more', { count: more })}</li>}
        </ul>
      )}
      <p className="modal-detail" title={request.userAgent}>
        {t('prompt.agent', { agent: request.userAgent })}
      </p>
      <p className="modal-note">{t('prompt.note')}</p>
      {waiting > 0 && <p className="modal-detail">{tp('prompt.waiting', waiting)}</p>}
      <div className="modal-actions">
        <button type="button" className="button button-large" disabled={busy} onClick={() => decide(false)}>
          {t('prompt.decline')}
        </button>
        <button
          type="button"
          className="button button-large button-primary"
          disabled={busy}
          onClick={() => decide(true)}
        >
          {t('prompt.accept')}
        </button>
      </div>
    </dialog>
  );
}
