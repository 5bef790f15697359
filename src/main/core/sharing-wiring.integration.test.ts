import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryPersistence } from '../../engine/sender/queue-persistence';
import { defaultSettings } from '../../shared/settings';
import { makeTempDir, removeDir } from '../../../test/support/files';
import { createFerryCore, type FerryCore } from './ferry-core';
import { createMemoryKeyValueStore } from './key-value-store';

let base: string | undefined;
let core: FerryCore | undefined;
afterEach(async () => {
  await core?.close();
  await removeDir(base);
  core = undefined;
  base = undefined;
});

/** Whether something listens on 127.0.0.2:port (the "LAN" address the tests share on). */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.2', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function shareInfo(link: string, origin = new URL(link).origin): Promise<number> {
  const token = new URL(link).searchParams.get('t')!;
  const response = await fetch(`${origin}/share/info`, { headers: { authorization: `Bearer ${token}` } });
  await response.body?.cancel();
  return response.status;
}

async function startCore(sharing: { enabled: boolean }) {
  base = await makeTempDir('sharing-core');
  const settings = createMemoryKeyValueStore({
    settings: { ...defaultSettings(), sharing: { ...defaultSettings().sharing, ...sharing, requireAccept: false } },
  });
  core = createFerryCore({
    windowOrigins: [],
    settings,
    queuePersistence: createMemoryPersistence(),
    defaultReceiveFolder: `${base}/received`,
    receiver: { durable: false },
    lanAddresses: () => ['127.0.0.2'],
  });
  await core.start();
  return core;
}

describe('sharing follows the settings on the real receiver', () => {
  it('starts at launch when the setting is on, and is back on (new link) after the receiver restarts', async () => {
    const core = await startCore({ enabled: true });
    const first = await core.sharing.view();
    const port = core.receiverInfo().port;
    expect(first).toMatchObject({
      active: true,
      link: expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.2:${port}/\\?t=`)),
    });
    expect(await shareInfo(first.link!)).toBe(200);

    await core.updateSettings({ receiveFolder: `${base}/elsewhere` });
    const second = await core.sharing.view();
    expect(second.active).toBe(true);
    expect(second.link).not.toBe(first.link);
    expect(await shareInfo(second.link!)).toBe(200);
    // The old link died with the old share.
    expect(await shareInfo(first.link!, core.receiverInfo().origin)).toBe(401);
  });

  it('turning the setting off closes the LAN listener and ends the link; loopback stays up', async () => {
    const core = await startCore({ enabled: false });
    const port = core.receiverInfo().port;
    expect(await listening(port)).toBe(false);
    await core.updateSettings({ sharing: { enabled: true } });
    const { link } = await core.sharing.view();
    expect(await listening(port)).toBe(true);
    await core.updateSettings({ sharing: { enabled: false } });
    expect(await core.sharing.view()).toMatchObject({ active: false, link: null });
    expect(await listening(port)).toBe(false);
    expect(await shareInfo(link!, core.receiverInfo().origin)).toBe(401);
    const own = await fetch(`${core.receiverInfo().origin}/metrics`, {
      headers: { authorization: `Bearer ${core.receiverInfo().token}` },
    });
    expect(own.status).toBe(200);
    await own.body?.cancel();
  });
});
