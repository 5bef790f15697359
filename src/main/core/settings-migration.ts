import { defaultSettings, Settings, settingsVersion } from '../../shared/settings';

const MiB = 1024 * 1024;
type Raw = Record<string, unknown>;

const isRecord = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The first release's settings (version 1), as they were stored. */
function fromVersion1(v1: Raw): Raw {
  const next: Raw = { version: 2 };
  const target = v1.target;
  if (target === 'embedded') next.target = { kind: 'embedded' };
  else if (isRecord(target)) next.target = { kind: 'tus', endpoint: target.url, headers: target.headers ?? {} };
  if ('filesAtOnce' in v1) next.concurrency = v1.filesAtOnce;
  if ('partsPerFile' in v1) next.parallelParts = v1.partsPerFile;
  if (typeof v1.chunkSizeMiB === 'number') next.chunkSizeBytes = Math.round(v1.chunkSizeMiB * MiB);
  // Version 1 said "no limit" with 0; version 2 says it with null.
  if (typeof v1.bandwidthLimitKiB === 'number')
    next.rateLimitBytesPerSecond = v1.bandwidthLimitKiB > 0 ? Math.round(v1.bandwidthLimitKiB * 1024) : null;
  if ('downloadFolder' in v1) next.receiveFolder = v1.downloadFolder;
  if ('port' in v1) next.receiverPort = v1.port;
  if ('notify' in v1) next.notifications = v1.notify;
  if ('openAtLogin' in v1) next.startAtLogin = v1.openAtLogin;
  if ('lang' in v1) next.language = typeof v1.lang === 'string' && /^zh([-_]cn)?$/i.test(v1.lang) ? 'zh-CN' : v1.lang;
  if ('theme' in v1) next.theme = v1.theme;
  return next;
}

/** Version 3 added receiving from other devices: off, as it is for a new install. */
function fromVersion2(v2: Raw): Raw {
  const { sharing: _none, ...rest } = v2;
  return { ...rest, version: 3 };
}

/** Version n → n + 1. Each step takes whatever the previous one produced, valid or not. */
const migrations: Record<number, (raw: Raw) => Raw> = { 1: fromVersion1, 2: fromVersion2 };

export type MigrationOutcome =
  | { kind: 'fresh'; settings: Settings }
  | { kind: 'loaded'; settings: Settings; migratedFrom?: number; invalidFields: string[] }
  /** Written by a newer Ferry: kept aside untouched, defaults used meanwhile. */
  | { kind: 'newer'; settings: Settings; version: number }
  | { kind: 'unreadable'; settings: Settings };

/** Checks field by field: a bad field falls back to its default, the valid ones are kept. */
export function validateFields(raw: Raw): { settings: Settings; invalidFields: string[] } {
  const defaults = defaultSettings();
  const result: Raw = { version: settingsVersion };
  const invalidFields: string[] = [];
  for (const [key, schema] of Object.entries(Settings.shape)) {
    if (key === 'version') continue;
    const parsed = schema.safeParse(raw[key]);
    if (parsed.success) {
      if (parsed.data !== undefined) result[key] = parsed.data;
    } else {
      invalidFields.push(key);
      const fallback = defaults[key as keyof Settings];
      if (fallback !== undefined) result[key] = fallback;
    }
  }
  return { settings: Settings.parse(result), invalidFields };
}

export function migrateSettings(stored: unknown): MigrationOutcome {
  if (stored === undefined) return { kind: 'fresh', settings: defaultSettings() };
  if (
    !isRecord(stored) ||
    typeof stored.version !== 'number' ||
    !Number.isInteger(stored.version) ||
    stored.version < 1
  ) {
    return { kind: 'unreadable', settings: defaultSettings() };
  }
  if (stored.version > settingsVersion) return { kind: 'newer', settings: defaultSettings(), version: stored.version };
  let raw = stored;
  for (let version = stored.version; version < settingsVersion; version++) raw = migrations[version]!(raw);
  const { settings, invalidFields } = validateFields(raw);
  return {
    kind: 'loaded',
    settings,
    invalidFields,
    ...(stored.version < settingsVersion ? { migratedFrom: stored.version } : {}),
  };
}
