// The window through a receiver crash, an upload from outside the app, and a live bandwidth change.
import { request } from 'node:http';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { testToken } from '../faults/support/http-kit';
import { startServe, stopServe, type ServeProcess } from '../faults/support/serve-process';
import { sha256File, writeRandomFile } from '../support/files';
import { startApp, type AppHarness } from '../support/e2e/app-harness';
import { describeInBrowser, launchChromium } from '../support/e2e/chromium';
import { jobIdByName, storedBytes, waitFor } from '../support/e2e/receiver-watch';

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function receivedBytesMetric(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
    headers: { authorization: `Bearer ${testToken}` },
  });
  const match = /^ferry_received_bytes_total (\d+)/m.exec(await response.text());
  return Number(match?.[1] ?? NaN);
}

describeInBrowser('the window through faults, outside uploads and live settings', () => {
  let browser: Browser;
  let app: AppHarness | undefined;
  let serve: ServeProcess | undefined;
  beforeAll(async () => void (browser = await launchChromium()));
  afterEach(async () => {
    await app?.close();
    if (serve) await stopServe(serve);
    app = undefined;
    serve = undefined;
  });
  afterAll(async () => browser?.close());

  it('(c) a killed receiver shows a stalled or waiting row, never failed, and the upload completes from where it stopped', async () => {
    app = await startApp({ browser, settings: { version: 2, rateLimitBytesPerSecond: 3 * MiB } });
    const serveDir = join(app.dir, 'serve');
    serve = await startServe(serveDir, 0);
    const port = serve.port;
    const { page, core } = app;
    await core.updateSettings({
      target: {
        kind: 'tus',
        endpoint: `http://127.0.0.1:${port}/files/`,
        headers: { Authorization: `Bearer ${testToken}` },
      },
    });
    const source = join(app.dir, 'big.bin');
    const sha = await writeRandomFile(source, 24 * MiB);
    app.ports.dialogs.nextFiles.push([source]);
    await page
      .getByRole('button', { name: /add files/i })
      .first()
      .click();
    const id = () => jobIdByName(core, 'big.bin');
    await waitFor(
      'some bytes acknowledged',
      () => (core.queue.get(id())?.acknowledged ?? 0) >= 8 * MiB || undefined,
      30_000,
    );

    await stopServe(serve, 'SIGKILL');
    const row = page.locator(`[data-job-id="${id()}"]`);
    const states = new Set<string>();
    const deadline = Date.now() + 6_000;
    while (Date.now() < deadline) {
      states.add((await row.getAttribute('data-state')) ?? '');
      await sleep(100);
    }
    expect(states.has('failed')).toBe(false);
    expect([...states].some((state) => ['stalled', 'retrying', 'waiting'].includes(state))).toBe(true);

    serve = await startServe(serveDir, port);
    await waitFor('done after the restart', async () => (await row.getAttribute('data-state')) === 'done', 60_000);
    // Only the part the first receiver had not stored travels again.
    expect(await receivedBytesMetric(port)).toBeLessThanOrEqual(16 * MiB + 8 * MiB);
    const landed = join(serveDir, 'big.bin');
    expect(await sha256File(landed)).toBe(sha);
  });

  it('(d) an upload from outside the app appears live in Received, then among the finished files', async () => {
    app = await startApp({ browser });
    const { page, core } = app;
    await page
      .getByRole('tab', { name: /received/i })
      .or(page.getByRole('button', { name: /^received/i }))
      .first()
      .click();
    const { origin, token } = core.receiverInfo();
    const boundary = 'ferry-e2e-boundary';
    const body = Buffer.alloc(4 * MiB, 7);
    const upload = request(`${origin}/upload`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'user-agent': 'curl/8.5.0',
      },
    });
    const answered = new Promise<number>((resolve, reject) =>
      upload.on('response', (response) => (response.resume(), resolve(response.statusCode ?? 0))).on('error', reject),
    );
    upload.write(
      `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="from-outside.dat"\r\ncontent-type: application/octet-stream\r\n\r\n`,
    );
    // Half the bytes, then a pause: the row must show up while the file is still arriving.
    upload.write(body.subarray(0, 2 * MiB));
    await page.getByRole('progressbar', { name: /from-outside\.dat/ }).waitFor({ timeout: 10_000 });
    upload.end(Buffer.concat([body.subarray(2 * MiB), Buffer.from(`\r\n--${boundary}--\r\n`)]));
    expect(await answered).toBe(201);
    await page.getByRole('button', { name: 'Open from-outside.dat' }).waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Open from-outside.dat' }).click();
    await waitFor('opened through main', () => app!.ports.shell.opened.length === 1 || undefined);
    expect(app.ports.shell.opened[0]).toBe(join(core.receiverInfo().receiveFolder, 'from-outside.dat'));
    expect((await readFile(app.ports.shell.opened[0]!)).equals(body)).toBe(true);
  });

  it('(e) lowering the bandwidth limit in Settings during an upload slows what the receiver stores', async () => {
    app = await startApp({ browser, settings: { version: 2, rateLimitBytesPerSecond: 8_000_000 } });
    const { page, core } = app;
    const source = join(app.dir, 'src');
    await mkdir(source);
    await writeRandomFile(join(source, 'long.bin'), 96 * MiB);
    app.ports.dialogs.nextFiles.push([join(source, 'long.bin')]);
    await page
      .getByRole('button', { name: /add files/i })
      .first()
      .click();
    const id = () => jobIdByName(core, 'long.bin');
    await waitFor('uploading', async () => (await storedBytes(core, id())) > 2 * MiB, 20_000);
    const rate = async () => {
      const start = await storedBytes(core, id());
      const began = Date.now();
      await sleep(2_000);
      return ((await storedBytes(core, id())) - start) / ((Date.now() - began) / 1000);
    };
    const before = await rate();

    await page
      .getByRole('tab', { name: /settings/i })
      .or(page.getByRole('button', { name: /^settings/i }))
      .first()
      .click();
    const field = page.getByLabel('Limit in MB/s');
    await field.fill('1');
    await field.press('Enter');
    await waitFor('limit applied', () => core.settings.get().rateLimitBytesPerSecond === 1_000_000 || undefined, 5_000);
    await sleep(1_000);
    const after = await rate();
    console.log(
      `receiver rate: ${(before / 1e6).toFixed(2)} MB/s before, ${(after / 1e6).toFixed(2)} MB/s after lowering the limit to 1 MB/s`,
    );
    expect(before).toBeGreaterThan(4_000_000);
    expect(after).toBeLessThan(1_500_000);
  });
});
