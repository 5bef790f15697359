import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { app } from 'electron';
import Store from 'electron-store';
import type { KeyValueStore } from '../core/key-value-store';

/**
 * One electron-store file per concern: settings change rarely, the queue is rewritten often (and
 * can be megabytes), so they do not share a file. Dotted keys are plain keys here, never paths.
 */
export function openStore(name: 'settings' | 'queue'): KeyValueStore {
  const open = () =>
    new Store<Record<string, unknown>>({ name, accessPropertiesByDotNotation: false, clearInvalidConfig: false });
  let store: Store<Record<string, unknown>>;
  try {
    store = open();
  } catch {
    // A file that is not JSON any more (a disk error, a hand edit): keep it aside and start afresh.
    const path = join(app.getPath('userData'), `${name}.json`);
    renameSync(path, `${path}.unreadable-${Date.now()}`);
    store = open();
  }
  return { get: (key) => store.get(key), set: (key, value) => store.set(key, value) };
}
