import { describe, expect, it, vi } from 'vitest';
import { createProgressHub } from '../../engine/progress';
import { createMemoryPersistence } from '../../engine/sender/queue-persistence';
import { createUploadQueue } from '../../engine/sender/upload-queue';
import { invokeContract, type InvokeChannel } from '../../shared/ipc/contract';
import { sharingOff } from '../../shared/ipc/sharing-view';
import type { FerryCore } from './ferry-core';
import { IpcFailure } from './ipc-failure';
import { createIpcHandlers, type InvokeHandlers } from './ipc-handlers';
import { createMemoryKeyValueStore } from './key-value-store';
import type { ReceivedIndex } from './received-index';
import { createSettingsStore } from './settings-store';
import type { SharingControl } from './sharing-control';

const app = { senderFrame: { url: 'app://ferry/index.html' } };
const on = {
  ...sharingOff,
  active: true,
  link: 'http://127.0.0.2:41823/?t=abc',
  qr: 'data:image/svg+xml;base64,PHN2Zy8+',
  offAt: 1_000_000,
  idleMs: 900_000,
};

function setup() {
  const settings = createSettingsStore({ store: createMemoryKeyValueStore() });
  const sharing = {
    view: vi.fn(async () => (settings.get().sharing.enabled ? on : sharingOff)),
    revoke: vi.fn(),
    revokeGuest: vi.fn((id: string) => {
      if (id !== 'g1') throw new IpcFailure('IPC_NOT_FOUND', 'No device with this id is connected');
    }),
    decide: vi.fn((id: string) => {
      if (id !== 'r1') throw new IpcFailure('IPC_NOT_FOUND', 'That device is no longer waiting');
    }),
  } as unknown as SharingControl & Record<'view' | 'revoke' | 'revokeGuest' | 'decide', ReturnType<typeof vi.fn>>;
  const core = {
    queue: createUploadQueue(createMemoryPersistence()),
    pool: { hub: createProgressHub() },
    settings,
    sharing,
    embeddedEndpoint: () => 'http://127.0.0.1:41823/files/',
    updateSettings: vi.fn(async (patch) => settings.update(patch)),
  } as unknown as FerryCore;
  const received = {
    list: async () => [],
    resolve: async () => '',
    close: () => undefined,
  } as unknown as ReceivedIndex;
  const ports = { dialogs: {}, shell: {} } as never;
  const handlers = createIpcHandlers({ core, ports, appOrigins: ['app://ferry'], received });
  const call = async <C extends InvokeChannel>(channel: C, payload: unknown = {}, event: unknown = app) => {
    const result = await (handlers[channel] as InvokeHandlers[C])(event as typeof app, payload);
    if (result.ok) expect(invokeContract[channel].response.safeParse(result.value).success).toBe(true);
    return result;
  };
  return { call, core, sharing, settings };
}

const sharingChannels = [
  'sharing:status',
  'sharing:set',
  'sharing:revoke',
  'sharing:revoke-guest',
  'sharing:decide',
] as const;
const goodPayloads: Record<(typeof sharingChannels)[number], unknown> = {
  'sharing:status': {},
  'sharing:set': { enabled: true },
  'sharing:revoke': {},
  'sharing:revoke-guest': { guestId: 'g1' },
  'sharing:decide': { requestId: 'r1', accept: true },
};

describe('sharing handlers', () => {
  it.each([
    [null],
    [{ senderFrame: null }],
    [{ senderFrame: { url: 'http://127.0.0.2:41823/' } }],
    [{ senderFrame: { url: 'app://ferry.evil/' } }],
  ])("refuse a sender that is not the app's window (%j), before acting", async (event) => {
    const { call, core, sharing } = setup();
    for (const channel of sharingChannels) {
      expect(await call(channel, goodPayloads[channel], event)).toMatchObject({
        ok: false,
        error: { code: 'IPC_FORBIDDEN_SENDER' },
      });
    }
    expect(core.updateSettings).not.toHaveBeenCalled();
    expect(sharing.revoke).not.toHaveBeenCalled();
    expect(sharing.decide).not.toHaveBeenCalled();
  });

  it.each([
    ['sharing:status', { link: 'x' }],
    ['sharing:set', {}],
    ['sharing:set', { enabled: 'yes' }],
    ['sharing:set', { enabled: true, pin: '1234' }],
    ['sharing:revoke', { all: true }],
    ['sharing:revoke-guest', {}],
    ['sharing:revoke-guest', { guestId: '' }],
    ['sharing:revoke-guest', { guestId: 'x'.repeat(65) }],
    ['sharing:decide', { requestId: 'r1' }],
    ['sharing:decide', { requestId: 'r1', accept: 1 }],
    ['sharing:decide', { requestId: 'r1', accept: true, guestId: 'g1' }],
    ['sharing:decide', 'r1'],
  ] as [InvokeChannel, unknown][])('refuse a bad payload for %s: %j', async (channel, payload) => {
    const { call, core, sharing } = setup();
    expect(await call(channel, payload)).toMatchObject({ ok: false, error: { code: 'IPC_INVALID_PAYLOAD' } });
    expect(core.updateSettings).not.toHaveBeenCalled();
    expect(sharing.revokeGuest).not.toHaveBeenCalled();
    expect(sharing.decide).not.toHaveBeenCalled();
  });

  it('sharing:set stores the switch in settings and answers the new state', async () => {
    const { call, core, settings } = setup();
    expect(await call('sharing:status')).toEqual({ ok: true, value: sharingOff });
    expect(await call('sharing:set', { enabled: true })).toEqual({ ok: true, value: on });
    expect(core.updateSettings).toHaveBeenCalledWith({ sharing: { enabled: true } });
    expect(settings.get().sharing).toMatchObject({ enabled: true, requireAccept: true });
    expect(await call('sharing:set', { enabled: false })).toEqual({ ok: true, value: sharingOff });
  });

  it('sharing:set passes on a failure to turn on', async () => {
    const { call, core } = setup();
    vi.mocked(core.updateSettings).mockRejectedValueOnce(
      new IpcFailure(
        'IPC_FAILED',
        'Could not apply the settings: This computer has no network address other devices could reach',
      ),
    );
    expect(await call('sharing:set', { enabled: true })).toMatchObject({
      ok: false,
      error: { code: 'IPC_FAILED', message: expect.stringContaining('no network address') },
    });
  });

  it('revoke, revoke-guest and decide act through the control; unknown ids are IPC_NOT_FOUND', async () => {
    const { call, sharing } = setup();
    expect(await call('sharing:revoke')).toMatchObject({ ok: true });
    expect(sharing.revoke).toHaveBeenCalledOnce();
    expect(await call('sharing:revoke-guest', { guestId: 'g1' })).toMatchObject({ ok: true });
    expect(await call('sharing:revoke-guest', { guestId: 'g2' })).toMatchObject({
      ok: false,
      error: { code: 'IPC_NOT_FOUND' },
    });
    expect(await call('sharing:decide', { requestId: 'r1', accept: false })).toMatchObject({ ok: true });
    expect(sharing.decide).toHaveBeenCalledWith('r1', false);
    expect(await call('sharing:decide', { requestId: 'gone', accept: true })).toMatchObject({
      ok: false,
      error: { code: 'IPC_NOT_FOUND' },
    });
  });
});
