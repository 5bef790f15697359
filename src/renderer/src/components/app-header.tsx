import { useRef, type KeyboardEvent, type ReactNode } from 'react';
import type { MessageKey } from '../i18n/en';
import { useI18n } from '../i18n/i18n-context';
import type { SocketStatus } from '../live/receiver-socket';
import { views, type View } from '../state/app-services';

const labels: Record<View, MessageKey> = { queue: 'tab.queue', received: 'tab.received', settings: 'tab.settings' };

export interface AppHeaderProps {
  view: View;
  counts: Partial<Record<View, number>>;
  onNavigate(view: View): void;
  port: number | undefined;
  origin: string | undefined;
  connection: SocketStatus;
  /** Shown before the receiver's status (the sharing indicator). */
  indicator?: ReactNode;
}

export function tabId(view: View) {
  return `tab-${view}`;
}
export function panelId(view: View) {
  return `panel-${view}`;
}

export function AppHeader({ view, counts, onNavigate, port, origin, connection, indicator }: AppHeaderProps) {
  const { t, fmt } = useI18n();
  const tabs = useRef<Array<HTMLButtonElement | null>>([]);

  // Tabs follow the ARIA pattern: one tab stop, arrow keys move between tabs and select them.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const index = views.indexOf(view);
    const move = { ArrowRight: 1, ArrowLeft: -1, Home: -index, End: views.length - 1 - index }[event.key];
    if (move === undefined) return;
    event.preventDefault();
    const next = views[(index + move + views.length) % views.length]!;
    onNavigate(next);
    tabs.current[views.indexOf(next)]?.focus();
  };

  const live = connection === 'open' && port !== undefined;
  const status = live
    ? t('header.receiving', { port: String(port) })
    : connection === 'closed'
      ? t('header.reconnecting')
      : t('header.connecting');

  return (
    <header className="app-header">
      <h1 className="brand">
        <svg className="brand-mark" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" focusable="false">
          <path d="M2.5 12.5h15l-2.2 3.6a1.5 1.5 0 0 1-1.3.7H6a1.5 1.5 0 0 1-1.3-.7L2.5 12.5Z" />
          <path d="M10 2.8v7.7M6.6 6.2 10 2.8l3.4 3.4" />
        </svg>
        <span>{t('app.name')}</span>
      </h1>
      <div className="tabs" role="tablist" aria-label={t('app.views')} onKeyDown={onKeyDown}>
        {views.map((name, index) => {
          const count = counts[name];
          return (
            <button
              key={name}
              ref={(element) => void (tabs.current[index] = element)}
              id={tabId(name)}
              type="button"
              role="tab"
              className="tab"
              aria-selected={view === name}
              aria-controls={panelId(name)}
              tabIndex={view === name ? 0 : -1}
              onClick={() => onNavigate(name)}
            >
              {t(labels[name])}
              {count !== undefined && count > 0 && <span className="tab-count">{fmt.count(count)}</span>}
            </button>
          );
        })}
      </div>
      {indicator}
      <div
        className={`receiver-status ${live ? 'is-live' : connection === 'closed' ? 'is-down' : 'is-connecting'}`}
        role="status"
        data-testid="receiver-status"
        data-connection={connection}
        title={origin ? t('header.receivingTitle', { origin }) : undefined}
      >
        <span className="receiver-dot" aria-hidden="true" />
        {status}
      </div>
    </header>
  );
}
