import type { Language } from '../../../shared/settings';
import { en, type Catalog, type MessageKey } from './en';
import { zhCN } from './zh-CN';

export type UiLanguage = 'en' | 'zh-CN';
export type Params = Readonly<Record<string, string | number>>;

/** Keys that come in plural forms, named without the `_one`/`_other` suffix. */
export type PluralKey = { [K in MessageKey]: K extends `${infer Base}_other` ? Base : never }[MessageKey];

export interface Translator {
  readonly language: UiLanguage;
  t(key: MessageKey, params?: Params): string;
  /** Picks the plural form for `count` (also passed as `{count}`). */
  tp(key: PluralKey, count: number, params?: Params): string;
}

const catalogs: Record<UiLanguage, Catalog> = { en, 'zh-CN': zhCN };

/** The window's language: the setting, or the OS locale when the setting is `system`. */
export function resolveLanguage(setting: Language, osLocale: string): UiLanguage {
  if (setting !== 'system') return setting;
  return /^zh(?:[-_](?:hans|cn|sg)|$)/i.test(osLocale) ? 'zh-CN' : 'en';
}

/** `{name}` placeholders in a message, sorted, for checking catalogs against each other. */
export function placeholdersOf(message: string): string[] {
  return [...message.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!).sort();
}

export function createTranslator(language: UiLanguage): Translator {
  const catalog = catalogs[language];
  const numbers = new Intl.NumberFormat(language);
  const plurals = new Intl.PluralRules(language);
  const fill = (message: string, params: Params | undefined) =>
    params
      ? message.replace(/\{(\w+)\}/g, (whole, name: string) => {
          const value = params[name];
          if (value === undefined) return whole;
          return typeof value === 'number' ? numbers.format(value) : value;
        })
      : message;
  const t = (key: MessageKey, params?: Params) => fill(catalog[key] ?? en[key], params);
  return {
    language,
    t,
    tp(key, count, params) {
      const form = plurals.select(count) === 'one' ? `${key}_one` : `${key}_other`;
      return t(form as MessageKey, { count, ...params });
    },
  };
}
