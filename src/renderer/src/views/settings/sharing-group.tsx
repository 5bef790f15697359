import type { Settings } from '../../../../shared/settings';
import { useI18n } from '../../i18n/i18n-context';
import { useServices } from '../../state/services-context';
import { useStore } from '../../state/store';
import { NumberField } from './number-field';
import { PinField } from './pin-field';
import { SharePanel } from './share-panel';
import { SwitchField } from './switch-field';
import type { Saver } from './use-save';

export const otherDevicesId = 'settings-devices';

/** "Other devices": receiving from phones and computers on the network, opt-in, with its share panel. */
export function SharingGroup({ settings, saver }: { settings: Settings; saver: Saver }) {
  const { t } = useI18n();
  const services = useServices();
  const view = useStore(services.sharing);
  const { sharing } = settings;
  // Settings say on but the receiver could not share (no network address, a taken port).
  const failed = sharing.enabled && !view.active ? view.error : null;
  return (
    <section className="settings-group" aria-labelledby={otherDevicesId}>
      <h2 id={otherDevicesId} className="group-title">
        {t('sharing.group')}
      </h2>
      <div className="group-card">
        <SwitchField
          id="sharing-enabled"
          label={t('sharing.enabled')}
          hint={t('sharing.enabledHint')}
          checked={sharing.enabled}
          saver={saver}
          patch={(enabled) => ({ sharing: { enabled } })}
        >
          {failed && (
            <p className="field-message is-error" role="alert">
              {t('sharing.startFailed', { message: failed.message })}
            </p>
          )}
        </SwitchField>
        {view.active && <SharePanel view={view} pin={sharing.pin} sharing={services.sharing} />}
        <PinField value={sharing.pin} saver={saver} />
        <SwitchField
          id="sharing-accept"
          label={t('sharing.requireAccept')}
          hint={t('sharing.requireAcceptHint')}
          checked={sharing.requireAccept}
          saver={saver}
          patch={(requireAccept) => ({ sharing: { requireAccept } })}
        />
        <NumberField
          id="sharing-idle"
          label={t('sharing.idle')}
          hint={t('sharing.idleHint')}
          value={sharing.idleMinutes}
          min={1}
          max={24 * 60}
          saver={saver}
          patch={(idleMinutes) => ({ sharing: { idleMinutes } })}
        />
      </div>
    </section>
  );
}
