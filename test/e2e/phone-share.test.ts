// The phone page's gates in real Chromium: the PIN first, the accept prompt, a link that ended.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeInBrowser } from '../support/e2e/chromium';
import { phonePageSuite } from '../support/e2e/suites';
import { makeFile, openPhone, sha256Of } from '../support/e2e/web-page';
import { eventually } from '../support/sharing';

const phone = phonePageSuite('phone-share');

const visibleFiles = async (dir: string) => (await readdir(dir)).filter((name) => !name.startsWith('.'));

describeInBrowser('phone page gates', () => {
  it('asks for the PIN before anything else, says when it is wrong, and then lets the device in', async () => {
    const shared = await phone.share({ pin: '4321' });
    const { context, page, errors } = await openPhone(phone.browser, `${shared.lanUrl}/?t=${shared.linkToken}`);
    await page.getByRole('heading', { name: 'Enter the PIN' }).waitFor();
    expect(await page.locator('#files').count()).toBe(0);
    await page.fill('#pin', '1111');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Wrong PIN. 2 tries left.').waitFor();
    await page.fill('#pin', '4321');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Choose files' }).waitFor();
    // The device stays joined across a reload: no second PIN.
    await page.reload();
    await page.getByRole('button', { name: 'Choose files' }).waitFor();
    expect(shared.receiver.sharing.status().guests).toHaveLength(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('waits for approval, then uploads once accepted', async () => {
    const shared = await phone.share({ requireAccept: true });
    const file = await makeFile(join(phone.sources, 'ok', 'report.pdf'), 400_000, 'report.pdf');
    const { context, page } = await openPhone(phone.browser, `${shared.lanUrl}/?t=${shared.linkToken}`);
    await page.setInputFiles('#files', file.path);
    await page.getByText('Waiting for approval on Test desk…').waitFor();
    expect(await page.locator('.row.state-waiting').count()).toBe(1);
    await eventually(() => shared.receiver.sharing.pending().length === 1, 5_000, 'the prompt');
    const [request] = shared.receiver.sharing.pending();
    expect(request).toMatchObject({
      files: { count: 1, totalBytes: 400_000, names: ['report.pdf'] },
      address: '127.0.0.1',
    });
    expect(request!.userAgent).toContain('Chrome');
    shared.receiver.sharing.decide(request!.id, true);
    await page.locator('.row.state-done').waitFor({ timeout: 20_000 });
    expect(await sha256Of(join(shared.dir, 'report.pdf'))).toBe(file.sha256);
    await context.close();
  });

  it('tells the page clearly when the computer declines, and stores nothing', async () => {
    const shared = await phone.share({ requireAccept: true });
    const file = await makeFile(join(phone.sources, 'no', 'private.zip'), 300_000, 'private.zip');
    const { context, page } = await openPhone(phone.browser, `${shared.lanUrl}/?t=${shared.linkToken}`);
    await page.setInputFiles('#files', file.path);
    await eventually(() => shared.receiver.sharing.pending().length === 1, 5_000, 'the prompt');
    shared.receiver.sharing.decide(shared.receiver.sharing.pending()[0]!.id, false);
    await page.getByText('Test desk declined these files. Nothing was sent.').waitFor();
    expect(await page.locator('.row.state-declined').count()).toBe(1);
    expect(await visibleFiles(shared.dir)).toEqual([]);
    expect(await shared.receiver.store.list()).toEqual([]);
    await context.close();
  });

  it('says the link has ended once sharing is off', async () => {
    const shared = await phone.share();
    const { context, page } = await openPhone(phone.browser, `${shared.url}/?t=${shared.linkToken}`);
    await page.getByRole('button', { name: 'Choose files' }).waitFor();
    shared.receiver.sharing.revoke();
    await page.getByText('This share link has ended.', { exact: false }).waitFor();
    await page.reload();
    await page.getByText('This share link has ended.', { exact: false }).waitFor();
    await context.close();
  });

  it('keeps a device the computer disconnected out of this link, even after a reload', async () => {
    const shared = await phone.share();
    const { context, page } = await openPhone(phone.browser, `${shared.lanUrl}/?t=${shared.linkToken}`);
    await page.getByRole('button', { name: 'Choose files' }).waitFor();
    const [guest] = shared.receiver.sharing.status().guests;
    shared.receiver.sharing.revokeGuest(guest!.id);
    await page.reload();
    await page.getByText('The computer disconnected this device.', { exact: false }).waitFor();
    expect(await page.locator('#files').count()).toBe(0);
    expect(shared.receiver.sharing.status().guests).toEqual([]);
    await context.close();
  });

  it('speaks Simplified Chinese to a Chinese browser', async () => {
    const shared = await phone.share();
    const { context, page } = await openPhone(phone.browser, `${shared.lanUrl}/?t=${shared.linkToken}`, {
      locale: 'zh-CN',
    });
    await page.getByRole('button', { name: '选择文件', exact: true }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await context.close();
  });
});
