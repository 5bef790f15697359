import { useEffect, useState } from 'react';
import type { Theme } from '../../../shared/settings';
import type { UiLanguage } from '../i18n/translate';

function usePrefersDark(): boolean {
  const query = '(prefers-color-scheme: dark)';
  const [dark, setDark] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const media = window.matchMedia(query);
    const onChange = () => setDark(media.matches);
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, []);
  return dark;
}

/** Puts the resolved theme and language on <html>: CSS reads `data-theme`, fonts and screen readers read `lang`. */
export function useDocumentTheme(theme: Theme, language: UiLanguage): void {
  const prefersDark = usePrefersDark();
  const resolved = theme === 'system' ? (prefersDark ? 'dark' : 'light') : theme;
  useEffect(() => {
    document.documentElement.dataset.theme = resolved;
    document.documentElement.lang = language;
  }, [resolved, language]);
}
