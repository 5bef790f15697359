import { messageOf, unwrap } from '../../api/ferry';
import { useI18n } from '../../i18n/i18n-context';
import { useServices } from '../../state/services-context';
import { describedBy, Field } from './field';
import type { Saver } from './use-save';

export function ReceiveFolderField({ folder, current, saver }: { folder: string; current: string; saver: Saver }) {
  const { t } = useI18n();
  const services = useServices();
  const status = saver.statusOf('receive-folder');
  const choose = async () => {
    try {
      const { folder: picked } = await unwrap(services.ferry.settingsPickReceiveFolder());
      if (picked === null) return;
      // Main saves the picked folder itself; if it has not (yet) here, save it, which is harmless twice.
      if (picked !== current) await saver.save('receive-folder', { receiveFolder: picked });
      else await services.refreshInfo();
    } catch (error) {
      saver.reject('receive-folder', messageOf(error));
    }
  };
  return (
    <Field
      id="receive-folder"
      label={t('settings.receiveFolder')}
      hint={t('settings.receiveFolderHint')}
      status={status}
    >
      <div className="folder-row">
        <output className="folder-path" title={folder}>
          {folder}
        </output>
        <button
          id="receive-folder"
          type="button"
          className="button"
          {...describedBy('receive-folder', status, true)}
          onClick={() => void choose()}
        >
          {t('settings.receiveFolderChoose')}
        </button>
      </div>
    </Field>
  );
}
