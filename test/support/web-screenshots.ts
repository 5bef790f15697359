// Screenshots of the phone page at 360×740: mid-upload, the PIN form, waiting for approval (and the
// upload view in Simplified Chinese). `tsx test/support/web-screenshots.ts [outDir]`, default docs/screenshots.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './e2e/chromium';
import { buildWebPage, makeFile, openPhone } from './e2e/web-page';
import { eventually, startSharedReceiver, type SharedReceiver } from './sharing';

const outDir = resolve(process.argv[2] ?? 'docs/screenshots');
const deviceName = 'Studio PC';

async function withShare<T>(
  share: Parameters<typeof startSharedReceiver>[0],
  webRoot: string,
  run: (shared: SharedReceiver) => Promise<T>,
): Promise<T> {
  const shared = await startSharedReceiver(share, { webRoot, deviceName });
  try {
    return await run(shared);
  } finally {
    await shared.stop();
  }
}

/** Each chunk waits before it leaves, so the shot catches uploads mid-way at a steady speed. */
async function slowLink(page: Page, delayMs: number): Promise<void> {
  await page.route('**/files/**', async (route) => {
    if (route.request().method() === 'PATCH') await new Promise((done) => setTimeout(done, delayMs));
    await route.continue().catch(() => undefined);
  });
}

async function uploading(
  browser: Browser,
  webRoot: string,
  sources: string,
  locale: string,
  file: string,
): Promise<void> {
  await withShare({}, webRoot, async (shared) => {
    const { context, page } = await openPhone(browser, `${shared.lanUrl}/?t=${shared.linkToken}&chunk=262144`, {
      locale,
      scale: 2,
    });
    await slowLink(page, 90);
    await page.locator('#files').waitFor({ state: 'attached' });
    await page.setInputFiles('#files', [join(sources, 'IMG_0412.HEIC'), join(sources, 'notes.pdf')]);
    await page.locator('.row.state-done').nth(1).waitFor();
    await page.setInputFiles('#folder', join(sources, 'trip'));
    await page.waitForTimeout(2_500);
    await page.screenshot({ path: join(outDir, file) });
    await context.close();
  });
}

async function main(): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const sources = await mkdtemp(join(tmpdir(), 'ferry-shots-'));
  const [browser, webRoot] = await Promise.all([launchChromium(), buildWebPage()]);
  try {
    await makeFile(join(sources, 'IMG_0412.HEIC'), 3_100_000, 'IMG_0412.HEIC');
    await makeFile(join(sources, 'notes.pdf'), 220_000, 'notes.pdf');
    await makeFile(join(sources, 'trip', 'clip-01.mov'), 24_000_000, 'trip/clip-01.mov');
    await makeFile(join(sources, 'trip', 'clip-02 from the boat trip at sunset.mov'), 18_000_000, 'trip/clip-02.mov');
    await makeFile(join(sources, 'trip', 'map.png'), 9_000_000, 'trip/map.png');
    await makeFile(join(sources, 'trip', 'tickets.pdf'), 640_000, 'trip/tickets.pdf');

    await uploading(browser, webRoot, sources, 'en-US', 'phone-uploading.png');
    await uploading(browser, webRoot, sources, 'zh-CN', 'phone-uploading-zh.png');

    await withShare({ pin: '482913' }, webRoot, async (shared) => {
      const { context, page } = await openPhone(browser, `${shared.lanUrl}/?t=${shared.linkToken}`, { scale: 2 });
      await page.locator('#pin').waitFor();
      await page.fill('#pin', '1234');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByText('Wrong PIN').waitFor();
      await page.fill('#pin', '48');
      await page.screenshot({ path: join(outDir, 'phone-pin.png') });
      await context.close();
    });

    await withShare({ requireAccept: true }, webRoot, async (shared) => {
      const { context, page } = await openPhone(browser, `${shared.lanUrl}/?t=${shared.linkToken}`, { scale: 2 });
      await page.locator('#folder').waitFor({ state: 'attached' });
      await page.setInputFiles('#folder', join(sources, 'trip'));
      await eventually(() => shared.receiver.sharing.pending().length === 1, 5_000, 'the prompt');
      await page.getByText('Waiting for approval').first().waitFor();
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(outDir, 'phone-waiting.png') });
      await context.close();
    });
  } finally {
    await browser.close();
    await rm(sources, { recursive: true, force: true });
  }
  console.log(`Phone page screenshots in ${outDir}`);
}

await main();
