// The phone page in real Chromium against a real receiver sharing on 127.0.0.2 (its "LAN address").
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeInBrowser } from '../support/e2e/chromium';
import { dropFromDisk, dropMadeFiles } from '../support/e2e/drop';
import { phonePageSuite } from '../support/e2e/suites';
import { makeFile, openPhone, sha256Of, type SourceFile } from '../support/e2e/web-page';
import { appToken, eventually, lanAddress, send, tus, type SharedReceiver } from '../support/sharing';

const phone = phonePageSuite('phone-src');
let shared: SharedReceiver;

async function expectLanded(files: SourceFile[]): Promise<void> {
  for (const file of files) expect(await sha256Of(join(shared.dir, file.landsAt)), file.landsAt).toBe(file.sha256);
}

describeInBrowser('phone page', () => {
  it('uploads three files and a folder with tus, with live progress from /ws', async () => {
    shared = await phone.share();
    const picked = await Promise.all([
      makeFile(join(phone.sources, 'up', 'holiday.jpg'), 2_500_000, 'holiday.jpg'),
      makeFile(join(phone.sources, 'up', 'notes.txt'), 1_234, 'notes.txt'),
      makeFile(join(phone.sources, 'up', 'clip.mov'), 4_000_000, 'clip.mov'),
    ]);
    const folder = await Promise.all([
      makeFile(join(phone.sources, 'album', 'one.bin'), 700_000, 'album/one.bin'),
      makeFile(join(phone.sources, 'album', 'deeper', 'two.bin'), 300_000, 'album/deeper/two.bin'),
    ]);
    const { context, page, errors } = await openPhone(
      phone.browser,
      `${shared.lanUrl}/?t=${shared.linkToken}&chunk=262144`,
    );
    const progressFrames: Array<{ uploadId: string; offset: number }> = [];
    page.on('websocket', (ws) =>
      ws.on('framereceived', ({ payload }) => {
        const message = JSON.parse(String(payload)) as { type: string; uploadId: string; offset: number };
        if (message.type === 'progress') progressFrames.push(message);
      }),
    );
    const pageUrl = new URL(page.url());
    expect(pageUrl.host).toBe(`127.0.0.2:${shared.port}`);
    await page.getByText('Send files to Test desk').waitFor();

    await page.setInputFiles(
      '#files',
      picked.map((file) => file.path),
    );
    await page.setInputFiles('#folder', join(phone.sources, 'album'));
    await page.locator('.row.state-done').nth(4).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('.overall .count').textContent()).toBe('5 of 5 files');
    await page.getByText('All 5 files were sent.').waitFor();
    await expectLanded([...picked, ...folder]);

    // Progress came from the receiver over /ws: stored offsets, for this device's uploads.
    const ids = new Set(progressFrames.map((frame) => frame.uploadId));
    expect(ids.size).toBeGreaterThanOrEqual(5);
    expect(progressFrames.some((frame) => frame.offset > 0 && frame.offset < 4_000_000)).toBe(true);
    // Relative paths reached the receiver as metadata and placed the folder's files.
    await expect.poll(() => page.locator('.row .name').allTextContents()).toContain('album/deeper/two.bin');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('takes a dropped folder with everything inside it, and dropped files', async () => {
    shared = await phone.share();
    const root = join(phone.sources, 'dropped');
    const folder = await Promise.all([
      makeFile(join(root, 'trip', 'day1.jpg'), 600_000, 'trip/day1.jpg'),
      makeFile(join(root, 'trip', 'raw', 'day1.dng'), 300_000, 'trip/raw/day1.dng'),
      makeFile(join(root, 'trip', 'raw', 'deeper', 'notes.txt'), 1_000, 'trip/raw/deeper/notes.txt'),
    ]);
    // More than one readEntries batch (Chromium hands out 100 at a time).
    const many = await Promise.all(
      Array.from({ length: 130 }, (_, index) =>
        makeFile(join(root, 'trip', 'many', `${index}.txt`), 16, `trip/many/${index}.txt`),
      ),
    );
    const loose = await makeFile(join(root, 'loose.bin'), 50_000, 'loose.bin');
    const { context, page, errors } = await openPhone(
      phone.browser,
      `${shared.lanUrl}/?t=${shared.linkToken}&chunk=262144`,
    );
    await page.getByText('Send files to Test desk').waitFor();

    await dropFromDisk(page, [join(root, 'trip'), loose.path]);
    const total = folder.length + many.length + 1;
    await page.getByText(`All ${total} files were sent.`).waitFor({ timeout: 40_000 });
    await expectLanded([...folder, loose]);
    expect((await readdir(join(shared.dir, 'trip', 'many'))).length).toBe(many.length);
    expect(await page.locator('.row .name').allTextContents()).toContain('trip/raw/deeper/notes.txt');

    // Files a script put in a DataTransfer: no entries behind them, and they go all the same.
    await dropMadeFiles(page, [
      { name: 'made.txt', text: 'made in the page' },
      { name: 'second.txt', text: 'and another' },
    ]);
    await page.getByText(`All ${total + 2} files were sent.`).waitFor({ timeout: 30_000 });
    expect(await readFile(join(shared.dir, 'made.txt'), 'utf8')).toBe('made in the page');
    expect(await readFile(join(shared.dir, 'second.txt'), 'utf8')).toBe('and another');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('continues an upload from an earlier share link once the same file is chosen again', async () => {
    shared = await phone.share();
    const file = await makeFile(join(phone.sources, 'reshare', 'film.mp4'), 6_000_000, 'film.mp4');
    const { context, page, errors } = await openPhone(
      phone.browser,
      `${shared.lanUrl}/?t=${shared.linkToken}&chunk=131072`,
    );
    await page.route('**/files/**', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 120));
      await route.continue().catch(() => undefined);
    });
    await page.getByText('Send files to Test desk').waitFor();
    await page.setInputFiles('#files', file.path);
    await eventually(
      () => (shared.receiver.hub.snapshot()[0]?.offset ?? 0) > 1_000_000,
      30_000,
      'a megabyte on the receiver',
    );

    // Sharing goes off and on again: a new link, and the page's guest token is no more.
    await shared.receiver.sharing.stop();
    const status = await shared.receiver.sharing.start({ addresses: [lanAddress] });
    await page.getByText('This share link has ended.').waitFor();
    const [upload] = await shared.receiver.store.list();
    const head = await send(`${shared.url}/files/${upload!.id}`, { method: 'HEAD', headers: tus(appToken) });
    const offset = Number(head.headers['upload-offset']);
    expect(offset).toBeGreaterThan(0);

    await page.unroute('**/files/**');
    await page.goto(`${status.link!}&chunk=131072`);
    // The same browser joins again; the receiver lists its unfinished upload.
    await page.getByText('Choose the same files again to continue.').waitFor();
    const patches: number[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH') patches.push(Number(request.headers()['upload-offset']));
    });
    await page.setInputFiles('#files', file.path);
    await page.locator('.row.state-done').first().waitFor({ timeout: 30_000 });
    expect(patches[0]).toBe(offset);
    expect(await shared.receiver.store.list()).toHaveLength(1);
    await expectLanded([file]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it.each([
    ['from the URL it stored', false],
    ["from the receiver's list when the browser forgot the URL", true],
  ])('resumes after a reload, %s, once the same file is chosen again', async (_how, forget) => {
    shared = await phone.share();
    const file = await makeFile(join(phone.sources, 'resume', 'long-video.mp4'), 6_000_000, 'long-video.mp4');
    const url = `${shared.lanUrl}/?t=${shared.linkToken}&chunk=131072`;
    const { context, page, errors } = await openPhone(phone.browser, url);
    // A slow link: every chunk waits a little before it leaves the browser.
    await page.route('**/files/**', async (route) => {
      if (route.request().method() === 'PATCH' || route.request().method() === 'POST')
        await new Promise((resolve) => setTimeout(resolve, 120));
      await route.continue().catch(() => undefined);
    });
    await page.getByText('Send files to Test desk').waitFor();
    await page.setInputFiles('#files', file.path);

    // Read from the progress hub while bytes flow: a HEAD would ask the running PATCH to let go.
    const stored = async () => shared.receiver.hub.snapshot()[0]?.offset ?? 0;
    await eventually(async () => (await stored()) > 1_000_000, 30_000, 'a megabyte on the receiver');
    await page.reload();
    await page.getByText('Choose the same files again to continue.').waitFor();
    if (forget) {
      const forgotten = await page.evaluate(() => {
        const keys = Object.keys(localStorage).filter((key) => key.startsWith('tus::'));
        for (const key of keys) localStorage.removeItem(key);
        return keys.length;
      });
      expect(forgotten).toBe(1);
    }
    await expect.poll(() => page.locator('.row.state-paused .name').textContent()).toBe('long-video.mp4');
    // What the receiver holds once the cut request has let go (HEAD waits for that).
    const [upload] = await shared.receiver.store.list();
    const head = await send(`${shared.url}/files/${upload!.id}`, { method: 'HEAD', headers: tus(appToken) });
    const offset = Number(head.headers['upload-offset']);
    expect(offset).toBeLessThan(6_000_000);

    const patches: number[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH') patches.push(Number(request.headers()['upload-offset']));
    });
    await page.unroute('**/files/**');
    await page.setInputFiles('#files', file.path);
    await page.locator('.row.state-done').first().waitFor({ timeout: 30_000 });
    expect(patches[0]).toBe(offset);
    expect(patches[0]).toBeGreaterThan(0);
    // One row for the file: the resumed upload took over the row shown from the receiver's list.
    expect(await page.locator('.row').count()).toBe(1);
    expect(await shared.receiver.store.list()).toHaveLength(1);
    await expectLanded([file]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('rides out a dropped connection and going offline while the page stays open', async () => {
    shared = await phone.share();
    const file = await makeFile(join(phone.sources, 'drop', 'audio.wav'), 4_000_000, 'audio.wav');
    const { context, page, errors } = await openPhone(
      phone.browser,
      `${shared.lanUrl}/?t=${shared.linkToken}&chunk=131072`,
    );
    let cut = false;
    await page.route('**/files/**', async (route) => {
      if (cut) return route.abort('connectionreset');
      await new Promise((resolve) => setTimeout(resolve, 60));
      await route.continue().catch(() => undefined);
    });
    await page.setInputFiles('#files', file.path);
    const stored = () => shared.receiver.hub.snapshot()[0]?.offset ?? 0;
    await eventually(() => stored() > 500_000, 30_000, 'the first bytes');
    // The link drops (the browser still thinks it is online): tus retries by itself.
    cut = true;
    await page.locator('.row.state-retrying').waitFor();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    cut = false;
    await eventually(() => stored() > 2_000_000, 30_000, 'progress after the drop');
    // Then the device goes offline altogether, and comes back.
    await context.setOffline(true);
    await page.getByText('Paused — offline. Uploads continue when the connection is back.').waitFor();
    await page.locator('.row.state-paused-offline').waitFor();
    await context.setOffline(false);
    await page.locator('.row.state-done').waitFor({ timeout: 30_000 });
    await expectLanded([file]);
    expect(await shared.receiver.store.list()).toHaveLength(1);
    expect(errors).toEqual([]);
    await context.close();
  });
});
