// The window against a real engine: drop, upload, pause and resume, watched at the receiver.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { sha256File, writeRandomFile } from '../support/files';
import { describeInBrowser } from '../support/e2e/chromium';
import { dropFiles, watchCspViolations } from '../support/e2e/page-actions';
import { jobIdByName, storedBytes, waitFor } from '../support/e2e/receiver-watch';
import { appWindowSuite } from '../support/e2e/suites';

const MiB = 1024 * 1024;

describeInBrowser('the window uploading through the real pool and receiver', () => {
  const windows = appWindowSuite();

  it('(a) queues three dropped files and a folder, shows moving progress and done, and lands them byte-identical', async () => {
    const app = await windows.start({ settings: { version: 3, rateLimitBytesPerSecond: 4 * MiB } });
    const { page, core } = app;
    const csp = await watchCspViolations(page);
    const source = join(app.dir, 'source');
    await mkdir(join(source, 'trip', 'day1'), { recursive: true });
    const files: Record<string, { path: string; sha: string; landed: string }> = {};
    const make = async (relative: string, bytes: number, landed = relative) => {
      const path = join(source, relative);
      files[relative] = { path, sha: await writeRandomFile(path, bytes), landed };
    };
    // About 7 s at the limit: long enough to see the bar move, even on a loaded machine.
    await make('movie.bin', 28 * MiB);
    await make('notes.txt', 64 * 1024);
    await make('photo.jpg', 2 * MiB);
    await make('trip/day1/clip.mov', 3 * MiB);
    await make('trip/map.png', 300 * 1024);
    await app.bridge.setDropPaths({
      'movie.bin': files['movie.bin']!.path,
      'notes.txt': files['notes.txt']!.path,
      'photo.jpg': files['photo.jpg']!.path,
      trip: join(source, 'trip'),
    });

    await dropFiles(page, ['movie.bin', 'notes.txt', 'photo.jpg', 'trip']);
    const rows = page.locator('[data-testid="queue-row"]');
    await waitFor('five rows', async () => (await rows.count()) === 5);

    // The big file's bar moves through values between empty and full while it uploads. It shows what
    // the receiver acknowledged as stored, which for checksummed chunks moves a chunk (8 MiB) at a time.
    const bar = page.getByRole('progressbar', { name: /movie\.bin/ });
    const seen = new Set<number>();
    await waitFor(
      'movie.bin done',
      async () => {
        const value = Number(await bar.getAttribute('aria-valuenow'));
        seen.add(value);
        return (
          (await page.locator(`[data-job-id="${jobIdByName(core, 'movie.bin')}"]`).getAttribute('data-state')) ===
          'done'
        );
      },
      30_000,
      100,
    );
    const between = [...seen].filter((value) => value > 0 && value < 100);
    expect(between.length).toBeGreaterThanOrEqual(2);
    await waitFor(
      'every row done',
      async () =>
        (await page.$$eval('[data-testid="queue-row"]', (all) =>
          all.every((row) => row.getAttribute('data-state') === 'done'),
        )) || undefined,
    );

    const received = core.receiverInfo().receiveFolder;
    for (const file of Object.values(files)) expect(await sha256File(join(received, file.landed))).toBe(file.sha);
    expect(await csp()).toEqual([]);
  });

  it('(b) pause and resume one file, then Pause all and Resume all: the bytes stop and start at the receiver', async () => {
    const app = await windows.start({ settings: { version: 3, rateLimitBytesPerSecond: 2 * MiB } });
    const { page, core } = app;
    const source = join(app.dir, 'source');
    await mkdir(source, { recursive: true });
    await writeRandomFile(join(source, 'first.bin'), 40 * MiB);
    await writeRandomFile(join(source, 'second.bin'), 40 * MiB);
    app.ports.dialogs.nextFiles.push([join(source, 'first.bin'), join(source, 'second.bin')]);
    await page
      .getByRole('button', { name: /add files/i })
      .first()
      .click();
    const first = () => jobIdByName(core, 'first.bin');
    const second = () => jobIdByName(core, 'second.bin');
    await waitFor(
      'both uploading',
      async () => (await storedBytes(core, first())) > 0 && (await storedBytes(core, second())) > 0,
    );

    const settled = async (jobId: string) => {
      // A request in flight may still land its last slice; after that the offset stands still.
      await new Promise((resolve) => setTimeout(resolve, 700));
      const before = await storedBytes(core, jobId);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      return { before, after: await storedBytes(core, jobId) };
    };
    const grows = (jobId: string) =>
      waitFor(
        `${jobId} growing`,
        async () => {
          const start = await storedBytes(core, jobId);
          await new Promise((resolve) => setTimeout(resolve, 600));
          return (await storedBytes(core, jobId)) > start;
        },
        15_000,
      );

    await page.getByRole('button', { name: 'Pause first.bin' }).click();
    await waitFor(
      'first paused',
      async () => (await page.locator(`[data-job-id="${first()}"]`).getAttribute('data-state')) === 'paused',
    );
    const paused = await settled(first());
    expect(paused.after).toBe(paused.before);
    await grows(second());

    await page.getByRole('button', { name: 'Resume first.bin' }).click();
    await grows(first());

    await page.getByRole('button', { name: /^pause all$/i }).click();
    await waitFor(
      'all paused',
      async () =>
        (await page.$$eval('[data-testid="queue-row"]', (all) =>
          all.every((row) => row.getAttribute('data-state') === 'paused'),
        )) || undefined,
    );
    const [a, b] = await Promise.all([settled(first()), settled(second())]);
    expect(a.after).toBe(a.before);
    expect(b.after).toBe(b.before);

    await page.getByRole('button', { name: /^resume all$/i }).click();
    await Promise.all([grows(first()), grows(second())]);
  });
});
