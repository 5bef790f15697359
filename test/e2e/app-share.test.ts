// Receiving from another device through the desktop window: the share panel's link opened on a
// "phone" (a second Chromium page on 127.0.0.2), the accept prompt answered in the window, and
// sharing turned off from Settings. The window talks to the real core through the handler table.
import { readdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { settingsVersion } from '../../src/shared/settings';
import type { AppHarness, AppHarnessOptions } from '../support/e2e/app-harness';
import { axeSerious } from '../support/e2e/axe';
import { describeInBrowser } from '../support/e2e/chromium';
import { watchCspViolations } from '../support/e2e/page-actions';
import { waitFor } from '../support/e2e/receiver-watch';
import { appWindowSuite } from '../support/e2e/suites';
import { makeFile, openPhone, sha256Of } from '../support/e2e/web-page';

const windows = appWindowSuite();

function startSharing(
  sharing: { requireAccept: boolean; pin?: string },
  options: Partial<AppHarnessOptions> = {},
): Promise<AppHarness> {
  return windows.start({
    lanAddresses: ['127.0.0.2'],
    phonePage: true,
    deviceName: 'Test desk',
    settings: {
      version: settingsVersion,
      sharing: { enabled: true, pin: sharing.pin ?? null, requireAccept: sharing.requireAccept, idleMinutes: 15 },
    },
    ...options,
  });
}

/** Opens the share panel from the header indicator and reads the link the way a person would copy it. */
async function linkFromWindow(app: AppHarness): Promise<string> {
  await app.page.getByTestId('sharing-indicator').click();
  const field = app.page.getByTestId('share-link');
  await field.waitFor();
  await waitFor('the share link', async () => (await field.inputValue()) || undefined);
  return field.inputValue();
}

const visibleFiles = async (dir: string) =>
  (await readdir(dir).catch(() => [])).filter((name) => !name.startsWith('.'));

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.2', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describeInBrowser('receiving from another device in the window', () => {
  it('Accept: the window shows the device and the file; once accepted the file lands byte-identical', async () => {
    const app = await startSharing({ requireAccept: true });
    const { page, core } = app;
    const csp = await watchCspViolations(page);
    const link = await linkFromWindow(app);
    const port = core.receiverInfo().port;
    expect(new URL(link).host).toBe(`127.0.0.2:${port}`);
    // The QR code is an <img> the window's CSP allows, at a size a camera reads.
    const qr = page.getByTestId('share-qr');
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    expect((await qr.boundingBox())!.width).toBeGreaterThanOrEqual(180);
    await waitFor(
      'the QR code decoded',
      () => qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0) || undefined,
    );
    expect(await page.getByTestId('sharing-indicator').textContent()).toMatch(/Sharing · 15 min left/);

    const file = await makeFile(join(app.dir, 'phone', 'report.pdf'), 400_000, 'report.pdf');
    const phone = await openPhone(windows.browser, link);
    await phone.page.getByRole('button', { name: 'Choose files' }).waitFor();
    await phone.page.setInputFiles('#files', file.path);
    await phone.page.getByText('Waiting for approval on Test desk…').waitFor();

    const prompt = page.getByRole('dialog', { name: /Accept files from .* · Chrome\?/ });
    await prompt.waitFor();
    const [request] = (await core.sharing.view()).pending;
    expect(await prompt.getByTestId('accept-files').textContent()).toContain('report.pdf');
    expect(await prompt.textContent()).toContain(`${request!.address} wants to send 1 file (400 kB).`);
    expect(await axeSerious(page)).toEqual([]);
    // The safe answer has the focus; Accept is one Tab away.
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement
            .textContent,
      ),
    ).toBe('Decline');
    await prompt.getByRole('button', { name: 'Accept' }).click();
    await prompt.waitFor({ state: 'detached' });

    await phone.page.locator('.row.state-done').waitFor({ timeout: 30_000 });
    expect(await sha256Of(join(core.receiverInfo().receiveFolder, 'report.pdf'))).toBe(file.sha256);
    // The device is listed as connected and accepted, with its upload.
    await waitFor(
      'the device row',
      async () =>
        /1 upload · Accepted/.test(
          (await page
            .getByTestId('share-device')
            .textContent()
            .catch(() => '')) ?? '',
        ) || undefined,
    );
    expect(phone.errors).toEqual([]);
    expect(await csp()).toEqual([]);
    await phone.context.close();
  });

  it('Decline: the phone page says so clearly, and no byte is stored', async () => {
    const app = await startSharing({ requireAccept: true });
    const { page, core } = app;
    const link = await linkFromWindow(app);
    const file = await makeFile(join(app.dir, 'phone', 'private.zip'), 300_000, 'private.zip');
    const phone = await openPhone(windows.browser, link);
    await phone.page.setInputFiles('#files', file.path);

    const prompt = page.getByRole('dialog', { name: /Accept files from/ });
    await prompt.waitFor();
    expect(await prompt.getByTestId('accept-files').textContent()).toContain('private.zip');
    await prompt.getByRole('button', { name: 'Decline' }).click();
    await prompt.waitFor({ state: 'detached' });

    await phone.page.getByText('Test desk declined these files. Nothing was sent.').waitFor();
    expect(await phone.page.locator('.row.state-declined').count()).toBe(1);
    expect(await visibleFiles(core.receiverInfo().receiveFolder)).toEqual([]);
    expect(await core.receiver.store.list()).toEqual([]);
    expect((await core.sharing.view()).pending).toEqual([]);
    await phone.context.close();
  });

  it('turning sharing off in Settings closes the LAN listener and ends the link; the window keeps working', async () => {
    const app = await startSharing({ requireAccept: false, pin: '482913' });
    const { page, core } = app;
    const link = await linkFromWindow(app);
    const port = core.receiverInfo().port;
    expect(await page.getByTestId('share-pin').textContent()).toBe('482 913');
    expect(await axeSerious(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await axeSerious(page)).toEqual([]);
    expect(await listening(port)).toBe(true);
    const token = new URL(link).searchParams.get('t')!;
    const info = (origin: string) =>
      fetch(`${origin}/share/info`, { headers: { authorization: `Bearer ${token}` } }).then(
        (response) => response.status,
      );
    expect(await info(new URL(link).origin)).toBe(200);

    // The switch, by keyboard: focus it and press Space.
    const toggle = page.getByRole('switch', { name: 'Receive from other devices' });
    await toggle.focus();
    await page.keyboard.press('Space');
    await waitFor('sharing off', async () => !(await core.sharing.view()).active || undefined);
    expect(core.settings.get().sharing.enabled).toBe(false);
    await page.getByTestId('share-panel').waitFor({ state: 'detached' });
    expect(await page.getByTestId('sharing-indicator').count()).toBe(0);

    expect(await listening(port)).toBe(false);
    expect(await info(core.receiverInfo().origin)).toBe(401);
    // The window's own connection to the receiver on 127.0.0.1 is untouched: /ws open, uploads go.
    expect(await page.getByTestId('receiver-status').getAttribute('data-connection')).toBe('open');
    const own = await makeFile(join(app.dir, 'own', 'notes.txt'), 50_000, 'notes.txt');
    app.ports.dialogs.nextFiles.push([own.path]);
    await page.keyboard.press('Control+O');
    await waitFor(
      "the window's own upload",
      () => core.queue.list().find((job) => job.name === 'notes.txt')?.status === 'completed' || undefined,
    );
    expect(await sha256Of(join(core.receiverInfo().receiveFolder, 'notes.txt'))).toBe(own.sha256);
  });
});
