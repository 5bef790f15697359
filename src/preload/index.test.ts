import { beforeEach, describe, expect, it, vi } from 'vitest';
import { invokeChannels, pushChannels } from '../shared/ipc/contract';
import type { FerryApi } from '../shared/ipc/api';

const electron = vi.hoisted(() => {
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  return {
    listeners,
    exposed: new Map<string, unknown>(),
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => electron.exposed.set(key, value) },
    ipcRenderer: {
      invoke: vi.fn(async (channel: string, payload: unknown) => ({ ok: true, value: { channel, payload } })),
      on: (channel: string, listener: (...args: unknown[]) => void) =>
        void (listeners.get(channel) ?? listeners.set(channel, new Set()).get(channel)!).add(listener),
      removeListener: (channel: string, listener: (...args: unknown[]) => void) =>
        void listeners.get(channel)?.delete(listener),
    },
    webUtils: { getPathForFile: (file: { name: string }) => (file.name === 'virtual' ? '' : `/home/ann/${file.name}`) },
  };
});
vi.mock('electron', () => electron);

let api: FerryApi;
beforeEach(async () => {
  vi.resetModules();
  electron.exposed.clear();
  electron.ipcRenderer.invoke.mockClear();
  await import('./index');
  api = electron.exposed.get('ferry') as FerryApi;
});

describe('preload', () => {
  it('exposes only window.ferry, with one function per channel and no raw ipcRenderer', () => {
    expect([...electron.exposed.keys()]).toEqual(['ferry']);
    expect(Object.keys(api).sort()).toEqual(
      [
        ...invokeChannels.map((channel) => channel.replace(/[:-](\w)/g, (_m, c: string) => c.toUpperCase())),
        'on',
        'addDroppedFiles',
      ].sort(),
    );
    expect(Object.values(api).every((value) => typeof value === 'function')).toBe(true);
    expect(JSON.stringify(Object.keys(api))).not.toMatch(/ipcRenderer|invoke|send/);
  });

  it('invokes the channel with the payload and returns the IpcResult', async () => {
    expect(await api.uploadsPause({ ids: ['a'] })).toEqual({
      ok: true,
      value: { channel: 'uploads:pause', payload: { ids: ['a'] } },
    });
    expect(await api.settingsGet()).toEqual({ ok: true, value: { channel: 'settings:get', payload: {} } });
  });

  it('turns dropped files into paths in the preload, skipping files with none', async () => {
    await api.addDroppedFiles([{ name: 'a.txt' }, { name: 'virtual' }] as unknown as File[]);
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith('uploads:add-dropped', { paths: ['/home/ann/a.txt'] });
  });

  it('subscribes to push channels without handing the event to the page, and unsubscribes', () => {
    const seen: unknown[] = [];
    const stop = api.on('uploads:changed', (payload) => seen.push(payload));
    const [listener] = electron.listeners.get('uploads:changed')!;
    listener!({ sender: 'secret' }, { jobs: [] });
    expect(seen).toEqual([{ jobs: [] }]);
    stop();
    expect(electron.listeners.get('uploads:changed')!.size).toBe(0);
    expect(() => api.on('not:a-channel' as never, () => undefined)).toThrow();
    expect(pushChannels).toContain('uploads:changed');
  });
});
