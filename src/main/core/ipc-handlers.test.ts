import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgressHub } from '../../engine/progress';
import { createMemoryPersistence } from '../../engine/sender/queue-persistence';
import type { UploadPool } from '../../engine/sender/upload-pool';
import { createUploadQueue } from '../../engine/sender/upload-queue';
import { invokeChannels, invokeContract, type InvokeChannel } from '../../shared/ipc/contract';
import { makeTempDir, removeDir } from '../../../test/support/files';
import type { FerryCore } from './ferry-core';
import { IpcFailure } from './ipc-failure';
import { createIpcHandlers, type InvokeHandlers } from './ipc-handlers';
import { createMemoryKeyValueStore } from './key-value-store';
import type { ReceivedIndex } from './received-index';
import { createSettingsStore } from './settings-store';
import { createCoreWindowJobs } from './window-jobs';

const app = { senderFrame: { url: 'app://ferry/index.html' } };
const endpoint = 'http://127.0.0.1:41823/files/';
let base: string;

beforeEach(async () => {
  base = await makeTempDir('ipc');
});
afterEach(() => removeDir(base));

function fakePool() {
  const hub = createProgressHub();
  return {
    hub,
    start: vi.fn(),
    pause: vi.fn(),
    resume: vi.fn(),
    cancel: vi.fn(async () => undefined),
    retry: vi.fn(),
    activeCount: () => 1,
    overall: () => ({ files: 1, completed: 0, failed: 0, size: 10, acknowledged: 5, bytesPerSecond: 1, etaSeconds: 5 }),
  };
}

function setup() {
  const settings = createSettingsStore({ store: createMemoryKeyValueStore() });
  const queue = createUploadQueue(createMemoryPersistence());
  const pool = fakePool();
  const core = {
    queue,
    pool: pool as unknown as UploadPool,
    settings,
    target: () => ({ endpoint, headers: { authorization: 'Bearer t' } }),
    embeddedEndpoint: () => endpoint,
    receiverInfo: () => ({
      origin: 'http://127.0.0.1:41823',
      token: 't',
      receiveFolder: join(base, 'in'),
      port: 41823,
    }),
    updateSettings: vi.fn(async (patch) => settings.update(patch)),
    windowJobs: createCoreWindowJobs({ hub: pool.hub, embeddedEndpoint: () => endpoint }),
  } as unknown as FerryCore;
  const received: ReceivedIndex = {
    list: async () => [
      { uploadId: 'r1', name: 'a.txt', relativePath: 'a.txt', size: 1, from: 'This app', source: 'tus', finishedAt: 1 },
    ],
    resolve: vi.fn(async (id: string) => {
      if (id === 'r1') return join(base, 'in', 'a.txt');
      if (id === 'exe') return join(base, 'in', 'setup.exe');
      throw new IpcFailure('IPC_NOT_FOUND', 'No received file has this id');
    }),
    close: () => undefined,
  };
  const ports = {
    dialogs: {
      pickFiles: vi.fn(async () => [] as string[]),
      pickFolder: vi.fn(async () => [] as string[]),
      pickFolderForReceive: vi.fn(async () => null as string | null),
    },
    shell: {
      openPath: vi.fn(async () => undefined),
      showItemInFolder: vi.fn(),
      openExternal: vi.fn(async () => undefined),
    },
  };
  const onAdded = vi.fn();
  const handlers = createIpcHandlers({
    core,
    ports,
    appOrigins: ['app://ferry'],
    received,
    onAdded,
    app: { version: '1.2.3', platform: 'linux', locale: 'zh-CN' },
  });
  const call = async <C extends InvokeChannel>(channel: C, payload: unknown = {}, event: unknown = app) => {
    const result = await (handlers[channel] as InvokeHandlers[C])(event as typeof app, payload);
    if (result.ok) expect(invokeContract[channel].response.safeParse(result.value).success).toBe(true);
    return result;
  };
  return { handlers, call, core, queue, pool, ports, received, onAdded, settings };
}

async function file(name: string, content = 'data'): Promise<string> {
  const path = join(base, 'src', name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
  return path;
}

describe('ipc handlers: the guard every handler shares', () => {
  it('has a handler for every channel of the contract', () => {
    expect(Object.keys(setup().handlers).sort()).toEqual([...invokeChannels].sort());
  });

  it.each([
    [null],
    [{ senderFrame: null }],
    [{ senderFrame: { url: 'https://evil.example.com/' } }],
    [{ senderFrame: { url: 'file:///tmp/x.html' } }],
    [{ senderFrame: { url: 'app://ferry.evil/' } }],
  ])('refuses a foreign sender %j on every channel, before doing anything', async (event) => {
    const { handlers, ports, pool } = setup();
    for (const channel of invokeChannels) {
      const result = await handlers[channel](event as never, {});
      expect(result).toEqual({ ok: false, error: { code: 'IPC_FORBIDDEN_SENDER', message: expect.any(String) } });
    }
    expect(ports.dialogs.pickFiles).not.toHaveBeenCalled();
    expect(pool.pause).not.toHaveBeenCalled();
  });

  it.each([
    ['uploads:add-dropped', { paths: [] }],
    ['uploads:add-dropped', { paths: ['/a'], extra: true }],
    ['uploads:add-dropped', { paths: [42] }],
    ['uploads:add-dropped', 'paths'],
    ['uploads:pause', { ids: 'all' }],
    ['uploads:pause', { ids: [''] }],
    ['uploads:reveal', {}],
    ['uploads:reveal', { id: 'x', path: '/etc/passwd' }],
    ['received:open', { uploadId: 'r1', path: '/etc/passwd' }],
    ['app:info', { anything: 1 }],
    ['settings:update', { concurrency: 999 }],
    ['settings:update', { version: 3 }],
    ['settings:update', { window: { x: 0, y: 0, width: 900, height: 900 } }],
    ['shell:open-external', { url: 5 }],
  ] as [InvokeChannel, unknown][])('refuses a bad payload for %s: %j', async (channel, payload) => {
    const { call, core } = setup();
    const result = await call(channel, payload);
    expect(result).toMatchObject({ ok: false, error: { code: 'IPC_INVALID_PAYLOAD' } });
    expect(core.updateSettings).not.toHaveBeenCalled();
  });

  it('treats a missing payload as an empty request', async () => {
    const { call } = setup();
    expect(await call('settings:get', undefined)).toMatchObject({ ok: true });
  });

  it('turns thrown errors into code and message, never a stack', async () => {
    const { call, pool } = setup();
    pool.pause.mockImplementation(() => {
      const error = new Error('disk on fire') as Error & { code: string; secret: string };
      error.code = 'DISK_ON_FIRE';
      error.secret = 'x';
      throw error;
    });
    expect(await call('uploads:pause', {})).toEqual({
      ok: false,
      error: { code: 'DISK_ON_FIRE', message: 'disk on fire' },
    });
    pool.pause.mockImplementation(() => {
      throw 'a string';
    });
    expect(await call('uploads:pause', {})).toEqual({ ok: false, error: { code: 'IPC_FAILED', message: 'a string' } });
    pool.pause.mockImplementation(() => {
      throw Object.assign(new Error('odd'), { code: 'lower case code with spaces' });
    });
    expect(await call('uploads:pause', {})).toEqual({ ok: false, error: { code: 'IPC_FAILED', message: 'odd' } });
  });
});

describe('ipc handlers: what each one does', () => {
  it('app:info and uploads:list', async () => {
    const { call, queue } = setup();
    expect(await call('app:info')).toMatchObject({
      ok: true,
      value: {
        version: '1.2.3',
        platform: 'linux',
        locale: 'zh-CN',
        receiver: { port: 41823 },
        settings: { version: 3 },
      },
    });
    await queue.add([await file('a.txt')], { endpoint });
    const list = await call('uploads:list');
    expect(list).toMatchObject({
      ok: true,
      value: { jobs: [{ name: 'a.txt', status: 'queued' }], overall: { files: 1, active: 1 } },
    });
  });

  it('uploads:list is what the pushes tell changes against', async () => {
    const { call, queue, core } = setup();
    await queue.add([await file('a.txt')], { endpoint });
    const [id] = queue.list().map((job) => job.id);
    await call('uploads:list');
    expect([...core.windowJobs.known()]).toEqual([id]);
    expect(core.windowJobs.tell(id!, queue.update(id!, { status: 'paused' }))).toMatchObject({
      kind: 'patched',
      patch: { id, status: 'paused' },
    });
  });

  it('uploads:add-dropped queues for the current target, reports duplicates by name, and starts the pool', async () => {
    const { call, queue, pool, onAdded } = setup();
    const a = await file('a.txt');
    const b = await file('dir/b.txt');
    expect(await call('uploads:add-dropped', { paths: [a, join(base, 'src', 'dir')] })).toEqual({
      ok: true,
      value: { added: 2, duplicates: [], skipped: [] },
    });
    expect(queue.list().map((job) => job.target)).toEqual([
      { endpoint, headers: { authorization: 'Bearer t' } },
      { endpoint, headers: { authorization: 'Bearer t' } },
    ]);
    expect(onAdded).toHaveBeenCalledWith(queue.list().map((job) => job.id));
    expect(pool.start).toHaveBeenCalledOnce();
    const again = await call('uploads:add-dropped', { paths: [a, b, join(base, 'missing.bin'), 'relative/x.txt'] });
    expect(again).toEqual({
      ok: true,
      value: {
        added: 0,
        duplicates: ['a.txt', 'b.txt'],
        skipped: [
          { name: 'x.txt', reason: 'Not an absolute path' },
          { name: 'missing.bin', reason: expect.stringContaining('ENOENT') },
        ],
      },
    });
    expect(onAdded).toHaveBeenCalledOnce();
  });

  it('uploads:pick-files and pick-folder add what the dialog returned; a canceled dialog adds nothing', async () => {
    const { call, ports, queue } = setup();
    expect(await call('uploads:pick-files')).toEqual({ ok: true, value: { added: 0, duplicates: [], skipped: [] } });
    ports.dialogs.pickFiles.mockResolvedValueOnce([await file('p.txt')]);
    expect(await call('uploads:pick-files')).toMatchObject({ ok: true, value: { added: 1 } });
    await file('tree/x/y.txt');
    ports.dialogs.pickFolder.mockResolvedValueOnce([join(base, 'src', 'tree')]);
    expect(await call('uploads:pick-folder')).toMatchObject({ ok: true, value: { added: 1 } });
    expect(queue.list().map((job) => job.relativePath ?? job.name)).toEqual(['p.txt', 'tree/x/y.txt']);
  });

  it('pause, resume, cancel and retry act on the given ids, or on all without ids', async () => {
    const { call, pool } = setup();
    await call('uploads:pause', { ids: ['a', 'b'] });
    expect(pool.pause.mock.calls).toEqual([['a'], ['b']]);
    await call('uploads:pause', {});
    expect(pool.pause.mock.calls.at(-1)).toEqual([undefined]);
    await call('uploads:pause', { ids: [] });
    expect(pool.pause).toHaveBeenCalledTimes(3);
    await call('uploads:resume', { ids: ['a'] });
    await call('uploads:resume');
    expect(pool.resume.mock.calls).toEqual([['a'], [undefined]]);
    await call('uploads:cancel', { ids: ['c'] });
    await call('uploads:cancel');
    expect(pool.cancel.mock.calls).toEqual([['c'], []]);
    await call('uploads:retry', { ids: ['d'] });
    expect(pool.retry.mock.calls).toEqual([['d']]);
  });

  it('uploads:clear-finished drops finished jobs and says how many', async () => {
    const { call, queue } = setup();
    await queue.add([await file('a.txt'), await file('b.txt')], { endpoint });
    queue.update(queue.list()[0]!.id, { status: 'completed' });
    expect(await call('uploads:clear-finished')).toEqual({ ok: true, value: { removed: 1 } });
    expect(queue.list()).toHaveLength(1);
  });

  it("uploads:reveal shows the job's own path, looked up in main", async () => {
    const { call, queue, ports } = setup();
    const path = await file('r.txt');
    await queue.add([path], { endpoint });
    expect(await call('uploads:reveal', { id: queue.list()[0]!.id })).toEqual({ ok: true, value: null });
    expect(ports.shell.showItemInFolder).toHaveBeenCalledWith(path);
    expect(await call('uploads:reveal', { id: 'nope' })).toMatchObject({ ok: false, error: { code: 'IPC_NOT_FOUND' } });
  });

  it('received: list, open and reveal by id; refuses unknown ids and programs', async () => {
    const { call, ports } = setup();
    expect(await call('received:list')).toMatchObject({ ok: true, value: [{ uploadId: 'r1' }] });
    expect(await call('received:open', { uploadId: 'r1' })).toEqual({ ok: true, value: null });
    expect(ports.shell.openPath).toHaveBeenCalledWith(join(base, 'in', 'a.txt'));
    expect(await call('received:reveal', { uploadId: 'r1' })).toEqual({ ok: true, value: null });
    expect(ports.shell.showItemInFolder).toHaveBeenCalledWith(join(base, 'in', 'a.txt'));
    expect(await call('received:open', { uploadId: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'IPC_NOT_FOUND' },
    });
    expect(await call('received:open', { uploadId: 'exe' })).toMatchObject({
      ok: false,
      error: { code: 'IPC_NOT_ALLOWED' },
    });
    expect(ports.shell.openPath).toHaveBeenCalledOnce();
  });

  it('settings: get, update only what was sent, pick a receive folder', async () => {
    const { call, core, ports, settings } = setup();
    settings.update({ theme: 'dark' });
    const updated = await call('settings:update', { concurrency: 3 });
    expect(updated).toMatchObject({ ok: true, value: { concurrency: 3, theme: 'dark' } });
    expect(core.updateSettings).toHaveBeenCalledWith({ concurrency: 3 });
    expect(await call('settings:get')).toMatchObject({ ok: true, value: { concurrency: 3, theme: 'dark' } });
    expect(await call('settings:pick-receive-folder')).toEqual({ ok: true, value: { folder: null } });
    ports.dialogs.pickFolderForReceive.mockResolvedValueOnce(join(base, 'new'));
    expect(await call('settings:pick-receive-folder')).toEqual({ ok: true, value: { folder: join(base, 'new') } });
    expect(core.updateSettings).toHaveBeenLastCalledWith({ receiveFolder: join(base, 'new') });
    expect(ports.dialogs.pickFolderForReceive).toHaveBeenCalledWith(join(base, 'in'));
  });

  it('settings:update passes on a failure to apply', async () => {
    const { call, core } = setup();
    vi.mocked(core.updateSettings).mockRejectedValueOnce(
      new IpcFailure('IPC_FAILED', 'Could not apply the settings: EACCES'),
    );
    expect(await call('settings:update', { receiveFolder: '/root/x' })).toEqual({
      ok: false,
      error: { code: 'IPC_FAILED', message: 'Could not apply the settings: EACCES' },
    });
  });

  it('shell:open-external opens only allow-listed http(s) pages', async () => {
    const { call, ports } = setup();
    expect(await call('shell:open-external', { url: 'https://tus.io/' })).toEqual({ ok: true, value: null });
    for (const url of ['file:///etc/passwd', 'https://evil.example.com/', 'javascript:alert(1)']) {
      expect(await call('shell:open-external', { url })).toMatchObject({
        ok: false,
        error: { code: 'IPC_NOT_ALLOWED' },
      });
    }
    expect(ports.shell.openExternal.mock.calls).toEqual([['https://tus.io/']]);
  });
});
