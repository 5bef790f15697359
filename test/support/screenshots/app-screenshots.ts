// `npm run screenshots`: the window on the real engine, in the states a person meets, saved as PNGs.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { settingsVersion } from '../../../src/shared/settings';
import { writeRandomFile } from '../files';
import { joinShare, send } from '../sharing';
import { startApp, type AppHarness } from '../e2e/app-harness';
import { waitFor } from '../e2e/receiver-watch';

const MiB = 1024 * 1024;

/** A tus "server" that accepts connections and never answers: uploads to it stall. */
async function blackHole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/files/`,
    close: () =>
      new Promise((resolve) => (sockets.forEach((socket) => socket.destroy()), server.close(() => resolve()))),
  };
}

async function pick(app: AppHarness, paths: string[]): Promise<void> {
  app.ports.dialogs.nextFiles.push(paths);
  // The shortcut rather than a button: it works in every language.
  await app.page.keyboard.press('Control+O');
  await waitFor(
    'files queued',
    () => paths.every((path) => app.core.queue.list().some((job) => job.path === path)) || undefined,
  );
}

/** Several files uploading slowly, one stalled on an unresponsive server, one failed because it vanished. */
async function busyQueue(app: AppHarness): Promise<() => Promise<void>> {
  const source = join(app.dir, 'Holiday 2026');
  await mkdir(join(source, 'day-2'), { recursive: true });
  const names = [
    'IMG_0412.HEIC',
    'IMG_0413.HEIC',
    'clip-01.mov',
    'day-2/clip-02 with a rather long descriptive name.mov',
    'notes.pdf',
    'panorama.tiff',
    'voice memo.m4a',
  ];
  const sizes = [3 * MiB, 4 * MiB, 120 * MiB, 90 * MiB, 700 * 1024, 40 * MiB, 6 * MiB];
  const paths = await Promise.all(
    names.map(async (name, i) => {
      const path = join(source, name);
      await writeRandomFile(path, sizes[i]!);
      return path;
    }),
  );
  const hole = await blackHole();
  await app.core.updateSettings({ target: { kind: 'tus', endpoint: hole.url, headers: {} } });
  const stalled = join(source, 'archive.zip');
  await writeRandomFile(stalled, 30 * MiB);
  await pick(app, [stalled]);
  await app.core.updateSettings({ target: { kind: 'embedded' } });
  const vanished = join(source, 'draft.docx');
  await writeFile(vanished, 'draft');
  await pick(app, [paths[0]!, paths[1]!, vanished, ...paths.slice(2)]);
  await rm(vanished);
  await waitFor(
    'a stalled and a failed row',
    async () => {
      const states = await app.page.$$eval('[data-testid="queue-row"]', (rows) =>
        rows.map((row) => row.getAttribute('data-state')),
      );
      return (
        ((states.includes('stalled') || states.includes('retrying')) &&
          states.includes('failed') &&
          states.includes('uploading')) ||
        undefined
      );
    },
    40_000,
    200,
  );
  return () => hole.close();
}

/** A device joins through the link (from 127.0.0.2, the stand-in LAN address) and asks to send; returns its token. */
async function deviceAsks(
  link: string,
  pin: string,
  userAgent: string,
  files: { count: number; totalBytes: number; names: string[] },
): Promise<string> {
  const url = new URL(link);
  const joined = await joinShare(url.origin, url.searchParams.get('t')!, { pin, userAgent, localAddress: '127.0.0.2' });
  const { token } = joined.json<{ token: string }>();
  // A long poll that waits for the answer: left running, it ends with the app.
  void send(`${url.origin}/share/ask`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ files }),
    localAddress: '127.0.0.2',
  }).catch(() => undefined);
  return token;
}

/** Receiving from a phone: the share panel with its QR code and a connected device, then a second device's accept prompt. */
export async function captureSharingScreenshots(
  browser: Browser,
  folder: string,
  viewport: { width: number; height: number },
): Promise<void> {
  const pin = '482913';
  const app = await startApp({
    browser,
    viewport,
    lanAddresses: ['127.0.0.2'],
    deviceName: 'Ana’s desktop',
    settings: { version: settingsVersion, sharing: { enabled: true, pin, requireAccept: true, idleMinutes: 15 } },
  });
  const { page, core } = app;
  await page.getByTestId('sharing-indicator').click();
  await page.getByTestId('share-qr').waitFor();
  const link = await page.getByTestId('share-link').inputValue();
  await deviceAsks(
    link,
    pin,
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36',
    { count: 2, totalBytes: 7_400_000, names: ['PXL_20260412_0931.jpg', 'PXL_20260412_0932.jpg'] },
  );
  const first = await waitFor('the first request', async () => (await core.sharing.view()).pending[0]);
  core.sharing.decide(first.id, true);
  await page.getByTestId('share-device').waitFor();
  await page.mouse.move(0, 0);
  await shot(page, folder, 'share-panel');
  await deviceAsks(
    link,
    pin,
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    {
      count: 7,
      totalBytes: 48_300_000,
      names: [
        'IMG_2041.HEIC',
        'IMG_2042.HEIC',
        'IMG_2043.HEIC',
        'Beach walk.MOV',
        'IMG_2045.HEIC',
        'IMG_2046.HEIC',
        'Notes from the trip.pdf',
      ],
    },
  );
  await page.getByTestId('accept-prompt').waitFor();
  await shot(page, folder, 'accept-prompt');
  await app.close();
}

async function shot(page: Page, folder: string, name: string): Promise<void> {
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(folder, `${name}.png`) });
  console.log(`saved ${join(folder, `${name}.png`)}`);
}

export async function captureAppScreenshots(browser: Browser, folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  const viewport = { width: 1100, height: 680 };
  const settings = { version: 2, rateLimitBytesPerSecond: 3 * MiB, concurrency: 3 };

  const empty = await startApp({ browser, viewport });
  await shot(empty.page, folder, 'empty');
  await empty.close();

  await captureSharingScreenshots(browser, folder, viewport);

  for (const variant of ['light', 'dark', 'chinese'] as const) {
    const app = await startApp({
      browser,
      viewport,
      colorScheme: variant === 'dark' ? 'dark' : 'light',
      settings: { ...settings, language: variant === 'chinese' ? 'zh-CN' : 'en' },
    });
    const closeHole = await busyQueue(app);
    await shot(app.page, folder, variant === 'light' ? 'queue' : variant === 'dark' ? 'queue-dark' : 'queue-chinese');
    if (variant === 'light') {
      // An upload from another device, arriving, and files already received.
      await app.page.getByRole('tab', { name: /received/i }).click();
      await waitFor(
        'received files',
        async () => (await app.page.getByRole('button', { name: /^Open / }).count()) > 0 || undefined,
        30_000,
      );
      await shot(app.page, folder, 'received');
      await app.page.getByRole('tab', { name: /settings/i }).click();
      await shot(app.page, folder, 'settings');
    }
    await app.close();
    await closeHole();
  }
}
