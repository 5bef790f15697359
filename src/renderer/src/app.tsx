import { useCallback, useMemo, useSyncExternalStore } from 'react';
import { AcceptPrompt } from './components/accept-prompt';
import { AppHeader, panelId, tabId } from './components/app-header';
import { DropOverlay } from './components/drop-overlay';
import { NoticeArea } from './components/notice-banner';
import { SharingIndicator } from './components/sharing-indicator';
import { UndoToast } from './components/undo-toast';
import { useDocumentTheme } from './hooks/use-document-theme';
import { useFileDrop } from './hooks/use-file-drop';
import { useShortcuts } from './hooks/use-shortcuts';
import { I18nProvider, useI18n } from './i18n/i18n-context';
import { resolveLanguage } from './i18n/translate';
import type { AppServices } from './state/app-services';
import { ServicesProvider } from './state/services-context';
import { useStore } from './state/store';
import { QueueView } from './views/queue/queue-view';
import { ReceivedView } from './views/received/received-view';
import { sharePanelId } from './views/settings/share-panel';
import { otherDevicesId } from './views/settings/sharing-group';
import { SettingsView } from './views/settings/settings-view';

function targetName(services: AppServices, t: ReturnType<typeof useI18n>['t']): string {
  const target = services.app.get().settings?.target;
  if (!target || target.kind === 'embedded') return t('target.embedded');
  try {
    return t('target.tus', { host: new URL(target.endpoint).host });
  } catch {
    return target.endpoint;
  }
}

function Shell({ services }: { services: AppServices }) {
  const { t } = useI18n();
  const state = useStore(services.app);
  const queue = useSyncExternalStore(services.queue.subscribe, services.queue.getView);
  const received = useStore(services.received);
  const notices = useStore(services.notices);
  const pendingCancel = useStore(services.actions.pendingCancel);
  const sharing = useStore(services.sharing);
  const request = sharing.pending[0];
  const { actions } = services;

  const dragging = useFileDrop(useCallback((files: File[]) => void actions.addDropped(files), [actions]));
  useShortcuts(
    useMemo(
      () => ({
        addFiles: () => void actions.add('files'),
        addFolder: () => void actions.add('folder'),
        openSettings: () => services.navigate('settings'),
        undo: actions.undoCancel,
      }),
      [actions, services],
    ),
  );
  const dismiss = useCallback((id: number) => services.dismiss(id), [services]);

  const target = targetName(services, t);
  const receiveFolder = state.info?.receiver.receiveFolder || state.settings?.receiveFolder || '';
  const { view } = state;
  const openSharePanel = () => {
    services.navigate('settings');
    // After the Settings view has rendered: bring the panel into view and put focus on it.
    window.setTimeout(() => {
      // Only the Settings page scrolls (scrollIntoView would move the whole window, header and all).
      const group = document.getElementById(otherDevicesId);
      const page = group?.closest('.settings-view');
      if (group && page) page.scrollTop += group.getBoundingClientRect().top - page.getBoundingClientRect().top - 16;
      document.getElementById(sharePanelId)?.focus({ preventScroll: true });
    }, 0);
  };

  return (
    <div className="app">
      <AppHeader
        view={view}
        counts={{ queue: queue.rows.length, received: received.files.length }}
        onNavigate={services.navigate}
        port={state.info?.receiver.port}
        origin={state.info?.receiver.origin}
        connection={state.connection}
        indicator={<SharingIndicator view={sharing} onOpen={openSharePanel} />}
      />
      <main className="main">
        <NoticeArea notices={notices} onDismiss={dismiss} />
        <div className="panel" role="tabpanel" id={panelId(view)} aria-labelledby={tabId(view)}>
          {view === 'queue' && <QueueView queue={queue} target={target} />}
          {view === 'received' && <ReceivedView queue={queue} receiveFolder={receiveFolder} />}
          {view === 'settings' && state.settings && <SettingsView settings={state.settings} info={state.info} />}
        </div>
      </main>
      <UndoToast pending={pendingCancel} onUndo={() => void actions.undoCancel()} />
      <DropOverlay visible={dragging} target={target} />
      {request && (
        <AcceptPrompt
          key={request.id}
          request={request}
          waiting={sharing.pending.length - 1}
          onDecide={(accept) => services.sharing.decide(request.id, accept)}
        />
      )}
    </div>
  );
}

export function App({ services }: { services: AppServices }) {
  const state = useStore(services.app);
  const language = resolveLanguage(state.settings?.language ?? 'system', state.info?.locale ?? navigator.language);
  useDocumentTheme(state.settings?.theme ?? 'system', language);
  return (
    <I18nProvider language={language}>
      <ServicesProvider services={services}>
        <Shell services={services} />
      </ServicesProvider>
    </I18nProvider>
  );
}
