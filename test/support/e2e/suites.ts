// What each browser suite sets up: one Chromium for its tests, and per test the app's window or a
// sharing receiver, closed when that test ends.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import type { SharingStartOptions } from '../../../src/engine/receiver/server';
import { sharedReceiverForTest, type SharedReceiver } from '../sharing';
import { startApp, type AppHarness, type AppHarnessOptions } from './app-harness';
import { launchChromium } from './chromium';
import { buildWebPage } from './web-page';

export interface AppWindowSuite {
  /** The suite's Chromium, for other pages beside the window (a phone's). */
  readonly browser: Browser;
  /** The app's window in that Chromium, for the running test. */
  start(options?: Omit<AppHarnessOptions, 'browser'>): Promise<AppHarness>;
}

/** Call at the top of the suite (the file or a `describe` block). */
export function appWindowSuite(chromiumArgs: string[] = []): AppWindowSuite {
  let browser: Browser | undefined;
  beforeAll(async () => void (browser = await launchChromium(chromiumArgs)));
  afterAll(async () => browser?.close());
  const suite: AppWindowSuite = {
    get browser() {
      if (!browser) throw new Error('Chromium starts before the first test');
      return browser;
    },
    async start(options = {}) {
      const app = await startApp({ ...options, browser: suite.browser });
      onTestFinished(() => app.close());
      return app;
    },
  };
  return suite;
}

export interface PhonePageSuite {
  readonly browser: Browser;
  /** A folder for the files tests pick on the phone; removed after the suite. */
  readonly sources: string;
  /** A receiver sharing the built phone page, for the running test. */
  share(options?: SharingStartOptions): Promise<SharedReceiver>;
}

/** Call at the top of the suite; `label` names its temp folder. */
export function phonePageSuite(label: string): PhonePageSuite {
  let ready: { browser: Browser; webRoot: string; sources: string } | undefined;
  beforeAll(async () => {
    const [browser, webRoot] = await Promise.all([launchChromium(), buildWebPage()]);
    ready = { browser, webRoot, sources: await mkdtemp(join(tmpdir(), `ferry-${label}-`)) };
  });
  afterAll(async () => {
    await ready?.browser.close();
    if (ready) await rm(ready.sources, { recursive: true, force: true });
  });
  const started = () => {
    if (!ready) throw new Error('Chromium and the phone page start before the first test');
    return ready;
  };
  return {
    get browser() {
      return started().browser;
    },
    get sources() {
      return started().sources;
    },
    share: (options = {}) => sharedReceiverForTest(options, { webRoot: started().webRoot }),
  };
}
