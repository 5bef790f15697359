import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Receiver, Sharing, SharingEvent, SharingStartOptions, SharingStatus } from '../../engine/receiver/server';
import { SharingView } from '../../shared/ipc/sharing-view';
import { createMemoryKeyValueStore } from './key-value-store';
import { createSettingsStore } from './settings-store';
import { createSharingControl, type SharingControl } from './sharing-control';

const offStatus: SharingStatus = {
  active: false,
  link: null,
  links: [],
  endpoints: [],
  idleMs: 900_000,
  offAt: null,
  remainingMs: null,
  pinRequired: false,
  acceptRequired: false,
  guests: [],
  pending: [],
};

/** A receiver whose sharing engine only records what it was asked. */
function fakeReceiver(options: { failStart?: Error } = {}) {
  const listeners = new Set<(event: SharingEvent) => void>();
  let status = offStatus;
  let links = 0;
  const emit = (event: SharingEvent) => listeners.forEach((listener) => listener(event));
  const sharing = {
    start: vi.fn(async (start: SharingStartOptions = {}) => {
      if (options.failStart) throw options.failStart;
      links += 1;
      status = {
        ...offStatus,
        active: true,
        link: `http://127.0.0.2:4000/?t=link${links}`,
        idleMs: start.idleMs ?? 900_000,
        offAt: 5_000 + (start.idleMs ?? 0),
        pinRequired: Boolean(start.pin),
        acceptRequired: start.requireAccept ?? false,
      };
      emit({ type: 'started', status });
      return status;
    }),
    stop: vi.fn(async () => {
      status = offStatus;
      emit({ type: 'stopped', reason: 'stopped' });
    }),
    status: () => status,
    revoke: vi.fn(),
    revokeGuest: vi.fn(() => false),
    decide: vi.fn(() => true),
    subscribe: (listener: (event: SharingEvent) => void) => (
      listeners.add(listener),
      () => void listeners.delete(listener)
    ),
  };
  const idle = () => {
    status = offStatus;
    emit({ type: 'stopped', reason: 'idle' });
  };
  return { receiver: { sharing: sharing as unknown as Sharing } as Receiver, sharing, emit, idle, listeners };
}

let control: SharingControl | undefined;
afterEach(() => control?.close());

function setup(sharing: { enabled: boolean; pin?: string | null; requireAccept?: boolean; idleMinutes?: number }) {
  const settings = createSettingsStore({ store: createMemoryKeyValueStore() });
  settings.update({ sharing });
  const warn = vi.fn();
  control = createSharingControl({
    settings,
    lanAddresses: () => ['127.0.0.2'],
    log: { warn },
    now: () => 5_000,
    tickMs: 60_000,
  });
  const changes = vi.fn();
  control.onChange(changes);
  return { settings, control, warn, changes };
}

describe('sharing control: settings drive the LAN share', () => {
  it('starts on attach when the setting is on, with the PIN, prompt, idle time and the given addresses', async () => {
    const { control } = setup({ enabled: true, pin: '482913', requireAccept: true, idleMinutes: 5 });
    const fake = fakeReceiver();
    await control.attach(fake.receiver);
    expect(fake.sharing.start).toHaveBeenCalledExactlyOnceWith({
      addresses: ['127.0.0.2'],
      pin: '482913',
      requireAccept: true,
      idleMs: 300_000,
    });
    const view = SharingView.parse(await control.view());
    expect(view).toMatchObject({
      active: true,
      link: 'http://127.0.0.2:4000/?t=link1',
      pinRequired: true,
      acceptRequired: true,
      offAt: 305_000,
      error: null,
    });
    expect(view.qr).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(view.qr!.split(',')[1]!, 'base64').toString()).toContain('<svg');
  });

  it('stays off on attach when the setting is off, and follows the setting after', async () => {
    const { control, settings } = setup({ enabled: false });
    const fake = fakeReceiver();
    await control.attach(fake.receiver);
    expect(fake.sharing.start).not.toHaveBeenCalled();
    await control.apply(settings.update({ sharing: { enabled: true } }));
    expect(fake.sharing.start).toHaveBeenCalledOnce();
    // The same settings again change nothing; another PIN starts a fresh share.
    await control.apply(settings.update({ theme: 'dark' }));
    expect(fake.sharing.start).toHaveBeenCalledOnce();
    await control.apply(settings.update({ sharing: { pin: '1234' } }));
    expect(fake.sharing.start).toHaveBeenCalledTimes(2);
    expect(fake.sharing.start).toHaveBeenLastCalledWith(expect.objectContaining({ pin: '1234' }));
    await control.apply(settings.update({ sharing: { enabled: false } }));
    expect(fake.sharing.stop).toHaveBeenCalledOnce();
    expect((await control.view()).active).toBe(false);
  });

  it('turns on again on the next receiver (a port or folder change), with a new link', async () => {
    const { control } = setup({ enabled: true });
    const first = fakeReceiver();
    await control.attach(first.receiver);
    control.detach();
    expect(first.listeners.size).toBe(0);
    expect((await control.view()).active).toBe(false);
    const second = fakeReceiver();
    await control.attach(second.receiver);
    expect(second.sharing.start).toHaveBeenCalledOnce();
    expect((await control.view()).active).toBe(true);
  });

  it('auto-off turns the setting off, and says so', async () => {
    const { control, settings, changes } = setup({ enabled: true, pin: '4321' });
    const fake = fakeReceiver();
    await control.attach(fake.receiver);
    changes.mockClear();
    fake.idle();
    expect(settings.get().sharing).toEqual({ enabled: false, pin: '4321', requireAccept: true, idleMinutes: 15 });
    expect(changes).toHaveBeenCalled();
    // Turned on again later, it starts again.
    await control.apply(settings.update({ sharing: { enabled: true } }));
    expect(fake.sharing.start).toHaveBeenCalledTimes(2);
  });

  it('a share that cannot start does not fail the launch: the view says why; from the window it throws', async () => {
    const { control, settings, warn } = setup({ enabled: true });
    const failure = Object.assign(new Error('This computer has no network address other devices could reach'), {
      code: 'SHARING_NO_ADDRESS',
    });
    const fake = fakeReceiver({ failStart: failure });
    await control.attach(fake.receiver);
    expect(warn).toHaveBeenCalledOnce();
    expect(await control.view()).toMatchObject({ active: false, error: { code: 'SHARING_NO_ADDRESS' } });
    await expect(control.apply(settings.get())).rejects.toThrow(/no network address/);
    await control.apply(settings.update({ sharing: { enabled: false } }));
    expect((await control.view()).error).toBeNull();
  });

  it('tells request listeners about a device waiting, named from its user agent', async () => {
    const { control } = setup({ enabled: true });
    const fake = fakeReceiver();
    await control.attach(fake.receiver);
    const requests = vi.fn();
    control.onRequest(requests);
    const request = {
      id: 'r1',
      guestId: 'g1',
      userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Safari/604.1',
      deviceLabel: 'iPhone · Safari',
      address: '192.168.1.7',
      files: { count: 2, totalBytes: 10, names: ['a.jpg', 'b.jpg'] },
      requestedAt: new Date(0).toISOString(),
    };
    fake.emit({ type: 'request', request });
    expect(requests).toHaveBeenCalledWith({
      id: 'r1',
      guestId: 'g1',
      label: 'iPhone · Safari',
      userAgent: request.userAgent,
      address: '192.168.1.7',
      files: request.files,
      requestedAt: request.requestedAt,
    });
    control.decide('r1', true);
    expect(fake.sharing.decide).toHaveBeenCalledWith('r1', true);
    expect(() => control!.revokeGuest('nobody')).toThrow(/No device/);
  });

  it("notices what has no event of its own: the end moving with a device's activity, its upload count", async () => {
    vi.useFakeTimers();
    try {
      const settings = createSettingsStore({ store: createMemoryKeyValueStore() });
      settings.update({ sharing: { enabled: true } });
      control = createSharingControl({
        settings,
        log: { warn: vi.fn() },
        now: () => 5_000,
        tickMs: 1_000,
        driftMs: 1_500,
      });
      const fake = fakeReceiver();
      await control.attach(fake.receiver);
      await control.view();
      const changes = vi.fn();
      control.onChange(changes);
      const base = fake.sharing.status();
      const set = (status: SharingStatus) => vi.spyOn(fake.sharing, 'status').mockReturnValue(status);
      set({ ...base, offAt: base.offAt! + 1_000 });
      vi.advanceTimersByTime(1_000);
      expect(changes).not.toHaveBeenCalled();
      set({ ...base, offAt: base.offAt! + 2_000 });
      vi.advanceTimersByTime(1_000);
      expect(changes).toHaveBeenCalledOnce();
      await control.view();
      const guest = { id: 'g1', userAgent: 'x', address: '127.0.0.2', joinedAt: '', approved: true, uploads: 0 };
      set({ ...base, offAt: base.offAt! + 2_000, guests: [guest] });
      vi.advanceTimersByTime(1_000);
      expect(changes).toHaveBeenCalledTimes(2);
      await control.view();
      vi.advanceTimersByTime(1_000);
      expect(changes).toHaveBeenCalledTimes(2);
      set({ ...base, offAt: base.offAt! + 2_000, guests: [{ ...guest, uploads: 1 }] });
      vi.advanceTimersByTime(1_000);
      expect(changes).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
