// The desktop app without Electron: the same core, handler table and pushes main composes, the
// production renderer bundle in Debian Chromium, and fakes only for the Electron adapters.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { createMemoryPersistence } from '../../../src/engine/sender/queue-persistence';
import { connectPushes, type CorePushes } from '../../../src/main/core/core-pushes';
import { windowHeaders } from '../../../src/main/core/csp';
import { createFerryCore, type FerryCore } from '../../../src/main/core/ferry-core';
import { createIpcHandlers, type InvokeHandlers } from '../../../src/main/core/ipc-handlers';
import { createMemoryKeyValueStore, type KeyValueStore } from '../../../src/main/core/key-value-store';
import { reloadOnReceiverMove } from '../../../src/main/core/receiver-reload';
import { makeTempDir, removeDir } from '../files';
import { installBridge, type Bridge } from './bridge';
import { launchChromium } from './chromium';
import { createFakePorts, type FakePorts } from './fake-ports';
import { serveFolder, type StaticServer } from './static-server';

export const rendererRoot = fileURLToPath(new URL('../../../out/renderer', import.meta.url));
/** The built phone page (`npm run build` writes it next to the window's bundle). */
export const webRoot = fileURLToPath(new URL('../../../out/web', import.meta.url));

export interface AppHarnessOptions {
  /** Initial electron-store contents (settings, any stored version: they are migrated). */
  settings?: Record<string, unknown>;
  /** The addresses "other devices" reach the app on (tests share on 127.0.0.2). */
  lanAddresses?: string[];
  /** Serve the built phone page (out/web) at `/`, as the app does. */
  phonePage?: boolean;
  /** The computer's name on the phone page. */
  deviceName?: string;
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
  locale?: string;
  /** Reuse one browser across tests of a file. */
  browser?: Browser;
}

export interface AppHarness {
  core: FerryCore;
  handlers: InvokeHandlers;
  page: Page;
  bridge: Bridge;
  ports: FakePorts;
  dir: string;
  settingsStore: KeyValueStore;
  /** Opens the window (again): a fresh page on the same core, like a reopened window. */
  open(): Promise<Page>;
  close(): Promise<void>;
}

export async function startApp(options: AppHarnessOptions = {}): Promise<AppHarness> {
  if (!existsSync(join(rendererRoot, 'index.html')))
    throw new Error('out/renderer is missing: run `npm run build` first');
  if (options.phonePage && !existsSync(join(webRoot, 'index.html')))
    throw new Error('out/web is missing: run `npm run build` first');
  const dir = await makeTempDir('e2e');
  const settingsStore = createMemoryKeyValueStore(options.settings ? { settings: options.settings } : {});
  // The window's origin exists before the core starts: the receiver must let it open /ws.
  const coreRef: { current?: FerryCore } = {};
  let server: StaticServer | undefined = await serveFolder(rendererRoot, () =>
    windowHeaders(coreRef.current!.receiverInfo().origin),
  );
  const core = createFerryCore({
    windowOrigins: [server.origin],
    settings: settingsStore,
    queuePersistence: createMemoryPersistence(),
    defaultReceiveFolder: join(dir, 'received'),
    receiver: {
      durable: false,
      ...(options.phonePage ? { webRoot } : {}),
      ...(options.deviceName ? { deviceName: options.deviceName } : {}),
    },
    ...(options.lanAddresses ? { lanAddresses: () => options.lanAddresses! } : {}),
    pool: { stallTimeoutMs: 3_000, retryDelays: [200, 500, 1_000], probeIntervalMs: 500 },
  });
  coreRef.current = core;
  await core.start();
  const ports = createFakePorts();
  const handlers = createIpcHandlers({
    core,
    ports,
    appOrigins: [server.origin],
    app: { version: 'test', platform: process.platform, locale: options.locale ?? 'en-US' },
  });
  const ownBrowser = options.browser ? undefined : await launchChromium();
  const browser = options.browser ?? ownBrowser!;
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1100, height: 720 },
    colorScheme: options.colorScheme ?? 'light',
    locale: options.locale ?? 'en-US',
  });
  let pushes: CorePushes | undefined;
  let page!: Page;
  let bridge!: Bridge;

  const harness: AppHarness = {
    core,
    handlers,
    ports,
    dir,
    settingsStore,
    get page() {
      return page;
    },
    get bridge() {
      return bridge;
    },
    async open() {
      pushes?.stop();
      page = await context.newPage();
      bridge = await installBridge(page, handlers);
      pushes = connectPushes(core, (channel, payload) => void bridge.push(channel, payload));
      page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
      await page.goto(`${server!.origin}/index.html`);
      return page;
    },
    async close() {
      stopReloads();
      pushes?.stop();
      await context.close().catch(() => undefined);
      await ownBrowser?.close().catch(() => undefined);
      await core.close().catch(() => undefined);
      await server?.close();
      server = undefined;
      await removeDir(dir);
    },
  };
  // As main does for the Electron window: a receiver on a new port needs a page with a new CSP.
  const stopReloads = reloadOnReceiverMove({
    origin: () => core.receiverInfo().origin,
    onReceiverChange: core.onReceiverChange,
    reload: () =>
      void page.reload().then(
        () => bridge.push('app:navigate', { view: 'settings' }),
        () => undefined,
      ),
  });
  await harness.open();
  return harness;
}
