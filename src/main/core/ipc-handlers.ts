import { basename, isAbsolute } from 'node:path';
import { createUploadAdder } from './add-uploads';
import { ipcErrorCodes } from '../../shared/ipc/contract';
import type { IpcPorts } from './desktop-ports';
import { defaultExternalHosts, isAllowedExternalUrl } from './external-url';
import type { FerryCore } from './ferry-core';
import { createDefineHandler, type InvokeHandlers } from './ipc-define';
import { IpcFailure } from './ipc-failure';
import { toOverallView } from './job-view';
import { isSafeToOpen } from './open-policy';
import { createReceivedIndex, type ReceivedIndex } from './received-index';
import type { SettingsStore } from './settings-store';
import { createSharingHandlers } from './sharing-handlers';

export type { InvokeHandlers, IpcEventLike } from './ipc-define';

export interface IpcHandlerDeps {
  core: FerryCore;
  /** Defaults to the core's own settings store. */
  settings?: SettingsStore;
  ports: IpcPorts;
  /** Origins of the app's own page: `app://ferry` in the app, the test server's in browser tests. */
  appOrigins: readonly string[];
  app?: { version?: string; platform?: string; locale?: string };
  /** Defaults to an index over the core's receiver. */
  received?: ReceivedIndex;
  externalHosts?: readonly string[];
  /** Told the jobs each add created (the notification policy groups them into a batch). */
  onAdded?: (ids: string[]) => void;
  onError?: (channel: string, error: unknown) => void;
}

export function createIpcHandlers(deps: IpcHandlerDeps): InvokeHandlers {
  const { core, ports } = deps;
  const settings = deps.settings ?? core.settings;
  const received =
    deps.received ??
    createReceivedIndex({ receiver: () => core.receiver, onReceiverChange: core.onReceiverChange, queue: core.queue });
  const define = createDefineHandler({ appOrigins: deps.appOrigins, onError: deps.onError });
  const hosts = deps.externalHosts ?? defaultExternalHosts;

  const add = createUploadAdder(core, deps.onAdded);

  /** No ids means every job; an empty list means none. */
  const each = (ids: string[] | undefined, act: (id?: string) => void) =>
    ids === undefined ? act() : ids.forEach((id) => act(id));

  return {
    'app:info': define('app:info', () => ({
      version: deps.app?.version ?? '0.0.0',
      platform: deps.app?.platform ?? process.platform,
      locale: deps.app?.locale ?? 'en',
      receiver: core.receiverInfo(),
      settings: settings.get(),
    })),
    'uploads:list': define('uploads:list', () => ({
      jobs: core.windowJobs.snapshot(core.queue.list()),
      overall: toOverallView(core.pool.overall(), core.pool.activeCount()),
    })),
    'uploads:add-dropped': define('uploads:add-dropped', ({ paths }) => add(paths)),
    'uploads:pick-files': define('uploads:pick-files', async () => add(await ports.dialogs.pickFiles())),
    'uploads:pick-folder': define('uploads:pick-folder', async () => add(await ports.dialogs.pickFolder())),
    'uploads:pause': define('uploads:pause', ({ ids }) => (each(ids, (id) => core.pool.pause(id)), null)),
    'uploads:resume': define('uploads:resume', ({ ids }) => (each(ids, (id) => core.pool.resume(id)), null)),
    'uploads:cancel': define('uploads:cancel', async ({ ids }) => {
      if (ids === undefined) await core.pool.cancel();
      else for (const id of ids) await core.pool.cancel(id);
      return null;
    }),
    'uploads:retry': define('uploads:retry', ({ ids }) => (each(ids, (id) => core.pool.retry(id)), null)),
    'uploads:clear-finished': define('uploads:clear-finished', () => ({ removed: core.queue.removeFinished() })),
    'uploads:reveal': define('uploads:reveal', ({ id }) => {
      const job = core.queue.get(id);
      if (!job) throw new IpcFailure(ipcErrorCodes.notFound, 'No upload has this id');
      ports.shell.showItemInFolder(job.path);
      return null;
    }),
    'received:list': define('received:list', () => received.list()),
    'received:open': define('received:open', async ({ uploadId }) => {
      const path = await received.resolve(uploadId);
      if (!isSafeToOpen(basename(path)))
        throw new IpcFailure(
          ipcErrorCodes.notAllowed,
          'Files that run as programs are not opened from here; show it in its folder instead',
        );
      await ports.shell.openPath(path);
      return null;
    }),
    'received:reveal': define('received:reveal', async ({ uploadId }) => {
      ports.shell.showItemInFolder(await received.resolve(uploadId));
      return null;
    }),
    'settings:get': define('settings:get', () => settings.get()),
    'settings:update': define('settings:update', (patch) => core.updateSettings(patch)),
    'settings:pick-receive-folder': define('settings:pick-receive-folder', async () => {
      const folder = await ports.dialogs.pickFolderForReceive(core.receiverInfo().receiveFolder);
      if (folder === null) return { folder: null };
      if (!isAbsolute(folder))
        throw new IpcFailure(ipcErrorCodes.invalidPayload, 'The receive folder must be an absolute path');
      await core.updateSettings({ receiveFolder: folder });
      return { folder };
    }),
    'shell:open-external': define('shell:open-external', async ({ url }) => {
      if (!isAllowedExternalUrl(url, hosts))
        throw new IpcFailure(ipcErrorCodes.notAllowed, 'That address is not on the list of pages Ferry opens');
      await ports.shell.openExternal(url);
      return null;
    }),
    ...createSharingHandlers(define, core),
  };
}
