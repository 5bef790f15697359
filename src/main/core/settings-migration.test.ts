import { describe, expect, it } from 'vitest';
import { defaultSettings, settingsVersion } from '../../shared/settings';
import { migrateSettings, validateFields } from './settings-migration';

const v1 = {
  version: 1,
  target: { url: 'https://tus.example.com/files/', headers: { Authorization: 'Bearer abc' } },
  filesAtOnce: 6,
  partsPerFile: 3,
  chunkSizeMiB: 16,
  bandwidthLimitKiB: 512,
  downloadFolder: '/home/ann/Incoming',
  port: 41823,
  notify: false,
  openAtLogin: true,
  lang: 'zh-CN',
  theme: 'dark',
};

describe('settings migration', () => {
  it("turns the first release's settings into the current version, field by field", () => {
    const outcome = migrateSettings(v1);
    expect(outcome).toMatchObject({ kind: 'loaded', migratedFrom: 1, invalidFields: [] });
    expect(outcome.settings).toEqual({
      version: settingsVersion,
      target: { kind: 'tus', endpoint: 'https://tus.example.com/files/', headers: { Authorization: 'Bearer abc' } },
      concurrency: 6,
      parallelParts: 3,
      chunkSizeBytes: 16 * 1024 * 1024,
      rateLimitBytesPerSecond: 512 * 1024,
      receiveFolder: '/home/ann/Incoming',
      receiverPort: 41823,
      notifications: false,
      startAtLogin: true,
      language: 'zh-CN',
      theme: 'dark',
      sharing: { enabled: false, pin: null, requireAccept: true, idleMinutes: 15 },
    });
  });

  it("maps version 1's embedded target, 0 = no limit, and its short language code", () => {
    const { settings } = migrateSettings({ ...v1, target: 'embedded', bandwidthLimitKiB: 0, lang: 'zh' });
    expect(settings).toMatchObject({ target: { kind: 'embedded' }, rateLimitBytesPerSecond: null, language: 'zh-CN' });
  });

  it('keeps the valid fields of a version 1 file and defaults only the bad ones', () => {
    const outcome = migrateSettings({ ...v1, filesAtOnce: 99, theme: 'purple', target: { url: 'ftp://x/' } });
    expect(outcome).toMatchObject({ kind: 'loaded', invalidFields: ['target', 'concurrency', 'theme'] });
    const defaults = defaultSettings();
    expect(outcome.settings).toMatchObject({
      target: defaults.target,
      concurrency: defaults.concurrency,
      theme: defaults.theme,
      parallelParts: 3,
      receiverPort: 41823,
      notifications: false,
    });
  });

  it('a version 1 file missing fields gets defaults for them', () => {
    const { settings } = migrateSettings({ version: 1, filesAtOnce: 2 });
    expect(settings).toEqual({ ...defaultSettings(), concurrency: 2 });
  });

  it('turns version 2 into version 3: every field kept, receiving from other devices off', () => {
    const { sharing: _sharing, ...current } = defaultSettings();
    const v2 = {
      ...current,
      version: 2,
      concurrency: 6,
      language: 'zh-CN',
      receiverPort: 41823,
      window: { x: 1, y: 2, width: 800, height: 600, maximized: false },
    };
    const outcome = migrateSettings(v2);
    expect(outcome).toMatchObject({ kind: 'loaded', migratedFrom: 2, invalidFields: [] });
    expect(outcome.settings).toEqual({
      ...v2,
      version: 3,
      sharing: { enabled: false, pin: null, requireAccept: true, idleMinutes: 15 },
    });
    // Nothing a version 2 file carried can switch sharing on.
    expect(
      migrateSettings({ ...v2, sharing: { enabled: true, pin: null, requireAccept: false, idleMinutes: 15 } }).settings
        .sharing.enabled,
    ).toBe(false);
  });

  it('keeps valid sharing settings of version 3 and resets an invalid sharing group as a whole', () => {
    const sharing = { enabled: true, pin: '482913', requireAccept: false, idleMinutes: 5 };
    expect(migrateSettings({ ...defaultSettings(), sharing }).settings.sharing).toEqual(sharing);
    const outcome = migrateSettings({ ...defaultSettings(), sharing: { ...sharing, pin: '12' } });
    expect(outcome).toMatchObject({ kind: 'loaded', invalidFields: ['sharing'] });
    expect(outcome.settings.sharing).toEqual(defaultSettings().sharing);
  });

  it('loads the current version as it is, resetting only invalid fields', () => {
    const stored = {
      ...defaultSettings(),
      concurrency: 8,
      chunkSizeBytes: 12,
      window: { x: 1, y: 2, width: 800, height: 600, maximized: true },
    };
    const outcome = migrateSettings(stored);
    expect(outcome).toMatchObject({ kind: 'loaded', invalidFields: ['chunkSizeBytes'] });
    expect(outcome.settings).toEqual({ ...stored, chunkSizeBytes: defaultSettings().chunkSizeBytes });
    expect('migratedFrom' in outcome).toBe(false);
  });

  it('uses defaults for a newer version and for something unreadable', () => {
    expect(migrateSettings({ version: settingsVersion + 1, concurrency: 2 })).toEqual({
      kind: 'newer',
      version: settingsVersion + 1,
      settings: defaultSettings(),
    });
    for (const stored of ['text', null, [], { version: 'two' }, { version: 0 }, { concurrency: 3 }]) {
      expect(migrateSettings(stored)).toEqual({ kind: 'unreadable', settings: defaultSettings() });
    }
    expect(migrateSettings(undefined)).toEqual({ kind: 'fresh', settings: defaultSettings() });
  });

  it('validateFields never lets a bad window or unknown key through', () => {
    const { settings, invalidFields } = validateFields({ window: { x: 1 }, extra: 1, notifications: 'yes' });
    expect(invalidFields).toEqual(['notifications', 'window']);
    expect(settings).toEqual(defaultSettings());
    expect('extra' in settings).toBe(false);
  });
});
