// 10,000 rows, the Chinese window and an accessibility scan, all on the real engine.
import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import type { AppHarness } from '../support/e2e/app-harness';
import { axeSerious } from '../support/e2e/axe';
import { describeInBrowser } from '../support/e2e/chromium';
import { waitFor } from '../support/e2e/receiver-watch';
import { appWindowSuite } from '../support/e2e/suites';

/** `bytes`: each file's size, sparse (no disk used); by default a few bytes. */
async function addManyFiles(app: AppHarness, count: number, bytes?: number): Promise<void> {
  const folder = join(app.dir, 'many');
  await mkdir(folder);
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(folder, `file-${String(i).padStart(5, '0')}.txt`);
    paths.push(path);
    await writeFile(path, `file ${i}\n`);
    if (bytes !== undefined) await truncate(path, bytes);
  }
  app.ports.dialogs.nextFiles.push(paths);
  await app.page
    .getByRole('button', { name: /add files/i })
    .first()
    .click();
  await waitFor(`${count} jobs`, () => app.core.queue.list().length === count || undefined, 60_000);
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** About one mouse-wheel notch: what a person scrolling through a long list moves per frame. */
const wheelStepPx = 100;
const warmUpFrames = 60;
const measuredFrames = 240;

/**
 * Scrolls the list one wheel step per animation frame, down and back up, and returns how long each
 * frame took (the interval between requestAnimationFrame callbacks). The first frames only warm up
 * (code, fonts, row components); the position is tracked here rather than read back, so measuring
 * adds no work of its own beyond the scroll itself.
 *
 * With `stillCopies`, the same scroll runs over a plain list instead (no React, no virtualizer): the
 * rows the window renders now, copied `stillCopies` times over. Each frame exposes new rows as the
 * window's does, so it tells what this machine's Chromium takes to lay out and paint such rows. The
 * window is hidden meanwhile and shown again.
 */
async function scrollFrameTimes(
  page: Page,
  warmUp: number,
  measured: number,
  step: number,
  stillCopies = 0,
): Promise<number[]> {
  return page.evaluate(
    async ([warmUpCount, count, stepPx, copies]) => {
      type El = {
        scrollTop: number;
        scrollHeight: number;
        clientHeight: number;
        offsetHeight: number;
        style: { display: string; transform: string; height: string };
        cloneNode(deep: boolean): El;
        after(node: El): void;
        append(node: El): void;
        remove(): void;
        querySelector(s: string): El | null;
        querySelectorAll(s: string): Iterable<El>;
      };
      const dom = globalThis as unknown as {
        document: { querySelector(s: string): El | null };
        requestAnimationFrame(cb: (t: number) => void): void;
      };
      const list = dom.document.querySelector('.grid-body');
      const sizer = list?.querySelector('.grid-sizer');
      if (!list || !sizer) throw new Error('no scrolling list');
      let body = list;
      if (copies > 0) {
        const rows = [...sizer.querySelectorAll('.queue-row')];
        const rowPx = rows[0]!.offsetHeight;
        const stillSizer = sizer.cloneNode(false);
        for (let copy = 0, at = 0; copy < copies; copy++)
          for (const row of rows) {
            const one = row.cloneNode(true);
            one.style.transform = `translateY(${at}px)`;
            stillSizer.append(one);
            at += rowPx;
          }
        stillSizer.style.height = `${copies * rows.length * rowPx}px`;
        body = list.cloneNode(false);
        body.append(stillSizer);
        list.after(body);
        list.style.display = 'none';
      }
      const max = body.scrollHeight - body.clientHeight;
      let position = body.scrollTop;
      let direction = 1;
      const frames: number[] = [];
      let last: number | undefined;
      await new Promise<void>((resolve) => {
        const next = (now: number) => {
          if (last !== undefined) frames.push(now - last);
          last = now;
          if (frames.length >= warmUpCount + count) return resolve();
          if (position + stepPx > max) direction = -1;
          else if (position - stepPx < 0) direction = 1;
          position += direction * stepPx;
          body.scrollTop = position;
          dom.requestAnimationFrame(next);
        };
        dom.requestAnimationFrame(next);
      });
      if (body !== list) {
        body.remove();
        list.style.display = '';
      }
      return frames.slice(warmUpCount);
    },
    [warmUp, measured, step, stillCopies] as const,
  );
}

describeInBrowser('the window at scale, in Chinese, and for every person', () => {
  // Without the 60 Hz cap a frame's interval is its cost, so slow frames show up as long ones.
  const windows = appWindowSuite(['--disable-frame-rate-limit', '--disable-gpu-vsync']);

  it('(f) renders 10,000 queued files and scrolls them smoothly with a bounded heap', async () => {
    // 4 MiB files at the lowest limit (16 KiB/s): a few upload, the rest stay queued, as in the
    // scenario. Files of a few bytes would race through the pool (~170 a second on the embedded
    // receiver) and bury the scroll under thousands of receiver events a second.
    const app = await windows.start({ settings: { version: 2, rateLimitBytesPerSecond: 16 * 1024 } });
    await addManyFiles(app, 10_000, 4 * 1024 * 1024);
    const { page } = app;
    await page.locator('[data-testid="queue-row"]').first().waitFor();
    await waitFor(
      'the overall line counts them all',
      async () => /10,000/.test((await page.getByTestId('overall').textContent()) ?? '') || undefined,
      20_000,
    );
    const rendered = await page.locator('[data-testid="queue-row"]').count();
    expect(rendered).toBeLessThan(200);

    const frames = (await scrollFrameTimes(page, warmUpFrames, measuredFrames, wheelStepPx)).sort((a, b) => a - b);
    const median = percentile(frames, 50);
    const p95 = percentile(frames, 95);
    const still = (await scrollFrameTimes(page, warmUpFrames, measuredFrames, wheelStepPx, 10)).sort((a, b) => a - b);
    const stillMedian = percentile(still, 50);
    const stillP95 = percentile(still, 95);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
    const load = loadavg()
      .map((value) => value.toFixed(2))
      .join(' ');
    console.log(
      `10,000 rows: ${frames.length} frames scrolling ${wheelStepPx} px a frame after ${warmUpFrames} to warm up, median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (a still list of the same rows: median ${stillMedian.toFixed(1)} ms, p95 ${stillP95.toFixed(1)} ms); JS heap ${(heap.usedSize / 1e6).toFixed(1)} MB used of ${(heap.totalSize / 1e6).toFixed(1)} MB; load average ${load} on ${availableParallelism()} cores`,
    );
    expect(frames.length).toBe(measuredFrames);
    // The frames are the scroll's own cost (no measuring reads, warmed up, 240 of them). 60 frames a
    // second is the target; where this machine's Chromium cannot paint even a plain list that fast, the
    // window must still scroll in two thirds of the time that list of ten times its rows takes (a
    // window that rendered every row would take far longer than it), with no worse a slow frame.
    expect(median).toBeLessThan(Math.max(16, stillMedian / 1.5));
    expect(p95).toBeLessThan(Math.max(33, stillP95));
    expect(heap.usedSize).toBeLessThan(250e6);
  });

  it('(g) switched to 中文, the queue speaks Chinese', async () => {
    const app = await windows.start({ settings: { version: 2, rateLimitBytesPerSecond: 16 * 1024 } });
    await addManyFiles(app, 3);
    const { page } = app;
    await page.getByRole('tab', { name: /settings/i }).click();
    await page.getByLabel('Language').selectOption('zh-CN');
    await waitFor('settings saved', () => app.core.settings.get().language === 'zh-CN' || undefined);
    await page.getByRole('tab', { name: /发送队列/ }).click();
    await page.getByRole('grid').waitFor();
    const text = (await page.locator('main, body').first().innerText()).replace(/\s+/g, ' ');
    expect(text).toMatch(/排队中|上传中|已完成|已暂停/);
    expect(text).not.toMatch(/\bQueued\b|\bUploading\b|\bDone\b/);
    expect(await page.locator('html').getAttribute('lang')).toMatch(/^zh/);
  });

  it('(h) axe-core finds no serious or critical violation on the queue, Received and Settings', async () => {
    const app = await windows.start();
    await addManyFiles(app, 5);
    const { page } = app;
    const found: Record<string, string[]> = {};
    found.queue = await axeSerious(page);
    await page.getByRole('tab', { name: /received/i }).click();
    found.received = await axeSerious(page);
    await page.getByRole('tab', { name: /settings/i }).click();
    found.settings = await axeSerious(page);
    await page.emulateMedia({ colorScheme: 'dark' });
    found.settingsDark = await axeSerious(page);
    expect(found).toEqual({ queue: [], received: [], settings: [], settingsDark: [] });
  });
});
