import { describe, expect, it, vi } from 'vitest';
import { defaultSettings } from '../../shared/settings';
import { IpcFailure } from './ipc-failure';
import { createMemoryKeyValueStore } from './key-value-store';
import { createSettingsStore } from './settings-store';

describe('settings store', () => {
  it('starts on defaults and writes them', () => {
    const store = createMemoryKeyValueStore();
    expect(createSettingsStore({ store }).get()).toEqual(defaultSettings());
    expect(store.data.settings).toEqual(defaultSettings());
  });

  it('migrates a version 1 file on load and saves the current shape', () => {
    const store = createMemoryKeyValueStore({
      settings: { version: 1, filesAtOnce: 3, port: 5000, target: 'embedded' },
    });
    const settings = createSettingsStore({ store }).get();
    expect(settings).toMatchObject({ version: 3, concurrency: 3, receiverPort: 5000 });
    expect(store.data.settings).toEqual(settings);
  });

  it("keeps a newer version's settings aside, untouched, and runs on defaults", () => {
    const newer = { version: 99, somethingNew: true, concurrency: 2 };
    const store = createMemoryKeyValueStore({ settings: newer });
    const warn = vi.fn();
    expect(createSettingsStore({ store, log: { warn } }).get()).toEqual(defaultSettings());
    expect(store.data['settings-from-version-99']).toEqual(newer);
    expect(warn).toHaveBeenCalledOnce();
  });

  it('keeps an unreadable value aside', () => {
    const store = createMemoryKeyValueStore({ settings: 'garbage' });
    createSettingsStore({ store });
    expect(Object.entries(store.data).find(([key]) => key.startsWith('settings-unreadable-'))?.[1]).toBe('garbage');
  });

  it('does not rewrite settings that loaded cleanly', () => {
    const store = createMemoryKeyValueStore({ settings: { ...defaultSettings(), concurrency: 5 } });
    const set = vi.spyOn(store, 'set');
    createSettingsStore({ store });
    expect(set).not.toHaveBeenCalled();
  });

  it('update validates the merged result, saves it and tells listeners', () => {
    const store = createMemoryKeyValueStore();
    const settings = createSettingsStore({ store });
    const listener = vi.fn();
    settings.onChange(listener);
    const next = settings.update({ concurrency: 2, theme: 'dark' });
    expect(next).toMatchObject({ concurrency: 2, theme: 'dark', parallelParts: 1 });
    expect(store.data.settings).toEqual(next);
    expect(listener).toHaveBeenCalledWith(next, defaultSettings());
  });

  it('a bad patch changes nothing and fails with field messages', () => {
    const store = createMemoryKeyValueStore();
    const settings = createSettingsStore({ store });
    const listener = vi.fn();
    settings.onChange(listener);
    let caught: unknown;
    try {
      settings.update({ concurrency: 0, chunkSizeBytes: 5 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(IpcFailure);
    expect((caught as IpcFailure).code).toBe('IPC_INVALID_PAYLOAD');
    expect((caught as IpcFailure).message).toMatch(/concurrency: .*; chunkSizeBytes: /);
    expect(settings.get()).toEqual(defaultSettings());
    expect(listener).not.toHaveBeenCalled();
  });

  it('the window cannot set version or window bounds; main can set bounds', () => {
    const settings = createSettingsStore({ store: createMemoryKeyValueStore() });
    const bounds = { x: 10, y: 20, width: 900, height: 700, maximized: false };
    settings.update({ version: 9, window: bounds } as never);
    expect(settings.get()).toMatchObject({ version: 3 });
    expect(settings.get().window).toBeUndefined();
    expect(settings.updateInternal({ window: bounds, receiverPort: 4000 })).toMatchObject({
      window: bounds,
      receiverPort: 4000,
    });
  });

  it('merges a sharing patch into the sharing settings, and refuses a bad PIN', () => {
    const settings = createSettingsStore({ store: createMemoryKeyValueStore() });
    settings.update({ sharing: { pin: '482913' } });
    expect(settings.update({ sharing: { enabled: true } }).sharing).toEqual({
      enabled: true,
      pin: '482913',
      requireAccept: true,
      idleMinutes: 15,
    });
    expect(() => settings.update({ sharing: { pin: '12ab' } })).toThrow(/sharing\.pin/);
    expect(settings.get().sharing.pin).toBe('482913');
  });

  it('a listener that throws does not stop the others or the update', () => {
    const settings = createSettingsStore({ store: createMemoryKeyValueStore() });
    const second = vi.fn();
    settings.onChange(() => {
      throw new Error('boom');
    });
    const stop = settings.onChange(second);
    settings.update({ notifications: false });
    expect(second).toHaveBeenCalledOnce();
    stop();
    settings.update({ notifications: true });
    expect(second).toHaveBeenCalledOnce();
  });
});
