import type { Language, Settings, Theme } from '../../../../shared/settings';
import type { MessageKey } from '../../i18n/en';
import { useI18n } from '../../i18n/i18n-context';
import { describedBy, Field } from './field';
import { SwitchField } from './switch-field';
import type { Saver } from './use-save';

const themes: ReadonlyArray<[Theme, MessageKey]> = [
  ['system', 'settings.themeSystem'],
  ['light', 'settings.themeLight'],
  ['dark', 'settings.themeDark'],
];
// Each language is named in itself, so it can be found whatever the current one is.
const languageNames: Record<Exclude<Language, 'system'>, string> = { en: 'English', 'zh-CN': '简体中文' };

function systemLanguageName(locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'language' }).of(locale) ?? locale;
  } catch {
    return locale;
  }
}

export function AppGroup({ settings, locale, saver }: { settings: Settings; locale: string; saver: Saver }) {
  const { t } = useI18n();
  const languageStatus = saver.statusOf('language');
  const themeStatus = saver.statusOf('theme');
  return (
    <section className="settings-group" aria-labelledby="settings-app">
      <h2 id="settings-app" className="group-title">
        {t('settings.app')}
      </h2>
      <div className="group-card">
        <SwitchField
          id="notifications"
          label={t('settings.notifications')}
          checked={settings.notifications}
          saver={saver}
          patch={(notifications) => ({ notifications })}
        />
        <SwitchField
          id="start-at-login"
          label={t('settings.startAtLogin')}
          checked={settings.startAtLogin}
          saver={saver}
          patch={(startAtLogin) => ({ startAtLogin })}
        />
        <Field id="language" label={t('settings.language')} status={languageStatus}>
          <select
            id="language"
            className="select"
            value={settings.language}
            {...describedBy('language', languageStatus, false)}
            onChange={(event) => void saver.save('language', { language: event.target.value as Language })}
          >
            <option value="system">{t('settings.languageSystem', { name: systemLanguageName(locale) })}</option>
            {Object.entries(languageNames).map(([value, name]) => (
              <option key={value} value={value} lang={value}>
                {name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="theme" label={t('settings.theme')} status={themeStatus} group>
          <div className="segmented" role="radiogroup" aria-labelledby="theme-label">
            {themes.map(([value, label]) => (
              <label key={value} className="segment">
                <input
                  type="radio"
                  name="theme"
                  value={value}
                  checked={settings.theme === value}
                  onChange={() => void saver.save('theme', { theme: value })}
                />
                <span>{t(label)}</span>
              </label>
            ))}
          </div>
        </Field>
      </div>
    </section>
  );
}
