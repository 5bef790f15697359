import type { AppInfo } from '../../../../shared/ipc/contract';
import type { Settings } from '../../../../shared/settings';
import { useI18n } from '../../i18n/i18n-context';
import { AppGroup } from './app-group';
import { NumberField } from './number-field';
import { RateField, ChunkSizeField } from './transfer-fields';
import { ReceiveFolderField } from './receive-folder-field';
import { SharingGroup } from './sharing-group';
import { TargetField } from './target-field';
import { useSave } from './use-save';

/** One scrollable page in groups. Every change applies at once and says so next to the field. */
export function SettingsView({ settings, info }: { settings: Settings; info: AppInfo | null }) {
  const { t } = useI18n();
  const saver = useSave();
  const receiveFolder = info?.receiver.receiveFolder || settings.receiveFolder;
  return (
    <div className="settings-view">
      <div className="settings-page">
        <section className="settings-group" aria-labelledby="settings-sending">
          <h2 id="settings-sending" className="group-title">
            {t('settings.sending')}
          </h2>
          <div className="group-card">
            <TargetField target={settings.target} receiveFolder={receiveFolder} saver={saver} />
            <NumberField
              id="concurrency"
              label={t('settings.concurrency')}
              hint={t('settings.concurrencyHint')}
              value={settings.concurrency}
              min={1}
              max={16}
              saver={saver}
              patch={(concurrency) => ({ concurrency })}
            />
            <NumberField
              id="parallel-parts"
              label={t('settings.parallelParts')}
              hint={t('settings.parallelPartsHint')}
              value={settings.parallelParts}
              min={1}
              max={8}
              saver={saver}
              patch={(parallelParts) => ({ parallelParts })}
            />
            <ChunkSizeField value={settings.chunkSizeBytes} saver={saver} />
            <RateField value={settings.rateLimitBytesPerSecond} saver={saver} />
          </div>
        </section>
        <section className="settings-group" aria-labelledby="settings-receiving">
          <h2 id="settings-receiving" className="group-title">
            {t('settings.receiving')}
          </h2>
          <div className="group-card">
            <ReceiveFolderField folder={receiveFolder} current={settings.receiveFolder} saver={saver} />
            <NumberField
              id="port"
              label={t('settings.port')}
              hint={t('settings.portHint')}
              value={settings.receiverPort}
              min={0}
              max={65535}
              saver={saver}
              patch={(receiverPort) => ({ receiverPort })}
            />
          </div>
        </section>
        <SharingGroup settings={settings} saver={saver} />
        <AppGroup settings={settings} locale={info?.locale ?? navigator.language} saver={saver} />
        {info && <p className="settings-version">{t('settings.version', { version: info.version })}</p>}
      </div>
    </div>
  );
}
