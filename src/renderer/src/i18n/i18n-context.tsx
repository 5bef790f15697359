import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { createFormatter, type Formatter } from './format';
import { createTranslator, type Translator, type UiLanguage } from './translate';

export interface I18n extends Translator {
  readonly fmt: Formatter;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ language, children }: { language: UiLanguage; children: ReactNode }) {
  const value = useMemo(() => {
    const translator = createTranslator(language);
    return { ...translator, fmt: createFormatter(language, translator) };
  }, [language]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
