import { describe, expect, it } from 'vitest';
import { defaultSettings, Settings, SettingsPatch, settingsVersion } from './settings';

describe('settings schema', () => {
  it('fills every default for a bare version', () => {
    const settings = defaultSettings();
    expect(settings).toMatchObject({
      concurrency: 4,
      parallelParts: 1,
      chunkSizeBytes: 8 * 1024 * 1024,
      rateLimitBytesPerSecond: null,
      target: { kind: 'embedded' },
      language: 'system',
      theme: 'system',
    });
  });

  it('parses a patch into only the keys that were sent', () => {
    expect(SettingsPatch.parse({ concurrency: 3 })).toEqual({ concurrency: 3 });
    expect(SettingsPatch.parse({})).toEqual({});
    // Sharing is patched field by field: no default may reset the PIN or the prompt.
    expect(SettingsPatch.parse({ sharing: { enabled: true } })).toEqual({ sharing: { enabled: true } });
  });

  it('receiving from other devices is off by default, and a PIN is 4 to 12 digits', () => {
    expect(defaultSettings().sharing).toEqual({ enabled: false, pin: null, requireAccept: true, idleMinutes: 15 });
    for (const pin of ['123', '1234567890123', '12a4', ' 1234'])
      expect(SettingsPatch.safeParse({ sharing: { pin } }).success, pin).toBe(false);
    for (const pin of ['1234', '123456789012', null])
      expect(SettingsPatch.safeParse({ sharing: { pin } }).success).toBe(true);
    expect(SettingsPatch.safeParse({ sharing: { idleMinutes: 0 } }).success).toBe(false);
    expect(SettingsPatch.safeParse({ sharing: { open: true } }).success).toBe(false);
  });

  it('refuses unknown keys, main-owned keys and out-of-range values in a patch', () => {
    expect(SettingsPatch.safeParse({ version: 3 }).success).toBe(false);
    expect(SettingsPatch.safeParse({ window: { x: 0, y: 0, width: 800, height: 600 } }).success).toBe(false);
    expect(SettingsPatch.safeParse({ colour: 'red' }).success).toBe(false);
    expect(SettingsPatch.safeParse({ concurrency: 0 }).success).toBe(false);
    expect(SettingsPatch.safeParse({ chunkSizeBytes: 1.5 }).success).toBe(false);
    expect(SettingsPatch.safeParse({ target: { kind: 'tus', endpoint: 'file:///etc/passwd' } }).success).toBe(false);
  });

  it('keeps a tus target with its headers', () => {
    const parsed = Settings.parse({
      version: settingsVersion,
      target: { kind: 'tus', endpoint: 'https://example.test/files/', headers: { Authorization: 'Bearer x' } },
    });
    expect(parsed.target).toEqual({
      kind: 'tus',
      endpoint: 'https://example.test/files/',
      headers: { Authorization: 'Bearer x' },
    });
  });
});
