import { ipcErrorCodes } from '../../shared/ipc/contract';
import { Settings, type SettingsPatch } from '../../shared/settings';
import { describeIssues, IpcFailure } from './ipc-failure';
import type { KeyValueStore } from './key-value-store';
import { migrateSettings } from './settings-migration';

export type SettingsListener = (settings: Settings, previous: Settings) => void;

export interface SettingsStore {
  get(): Settings;
  /** What the window may change. The merged result is validated; a bad patch changes nothing. */
  update(patch: SettingsPatch): Settings;
  /** What main keeps itself: the picked receiver port, the window bounds. Validated the same way. */
  updateInternal(patch: Partial<Omit<Settings, 'version'>>): Settings;
  onChange(listener: SettingsListener): () => void;
}

export interface SettingsStoreOptions {
  store: KeyValueStore;
  key?: string;
  log?: { warn(data: object, message: string): void };
}

export function createSettingsStore({ store, key = 'settings', log }: SettingsStoreOptions): SettingsStore {
  const listeners = new Set<SettingsListener>();
  const stored = store.get(key);
  const outcome = migrateSettings(stored);
  let current = outcome.settings;
  if (outcome.kind === 'newer') {
    // A newer Ferry wrote these: keep them for when it runs again, and run on defaults meanwhile.
    store.set(`${key}-from-version-${outcome.version}`, stored);
    log?.warn({ version: outcome.version }, 'settings were written by a newer version; using defaults');
  } else if (outcome.kind === 'unreadable') {
    store.set(`${key}-unreadable-${Date.now()}`, stored);
    log?.warn({}, 'stored settings are unreadable; using defaults');
  } else if (outcome.kind === 'loaded' && outcome.invalidFields.length > 0) {
    log?.warn({ fields: outcome.invalidFields }, 'invalid settings fields reset to their defaults');
  }
  const unchanged =
    outcome.kind === 'loaded' && outcome.migratedFrom === undefined && outcome.invalidFields.length === 0;
  if (!unchanged) store.set(key, current);

  function commit(merged: unknown): Settings {
    const parsed = Settings.safeParse(merged);
    if (!parsed.success)
      throw new IpcFailure(ipcErrorCodes.invalidPayload, describeIssues(parsed.error), { cause: parsed.error });
    const previous = current;
    current = parsed.data;
    store.set(key, current);
    for (const listener of listeners) {
      try {
        listener(current, previous);
      } catch (error) {
        log?.warn({ err: error }, 'a settings listener failed');
      }
    }
    return current;
  }

  return {
    get: () => current,
    update: (patch) => {
      const sharing = patch.sharing ? { ...current.sharing, ...patch.sharing } : current.sharing;
      return commit({ ...current, ...patch, sharing, version: current.version, window: current.window });
    },
    updateInternal: (patch) => commit({ ...current, ...patch, version: current.version }),
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
