// What the preview looks at: each scenario sets up the fake app, acts like a user, and screenshots.
import type { PreviewConfig } from './fake-ferry-entry';
import type { PreviewContext } from './preview';

export interface Scenario {
  name: string;
  config?: Partial<PreviewConfig>;
  colorScheme?: 'light' | 'dark';
  locale?: string;
  viewport?: { width: number; height: number };
  run(preview: PreviewContext): Promise<void>;
}

// Browser-side snippets are strings: this file is type-checked without the DOM library.
const dragScript = (type: string, names: string[]) => `(() => {
  const transfer = new DataTransfer();
  for (const name of ${JSON.stringify(names)}) transfer.items.add(new File(['x'], name));
  window.dispatchEvent(new DragEvent('${type}', { dataTransfer: transfer, bubbles: true, cancelable: true }));
})()`;

// Scrolls the 10,000-row list frame by frame and measures how long each frame took.
const scrollScript = `(async () => {
  const body = document.querySelector('.grid-body');
  const frames = [];
  let last = performance.now();
  for (let step = 0; step < 240; step += 1) {
    body.scrollTop += 180;
    await new Promise((done) => requestAnimationFrame(done));
    const now = performance.now();
    frames.push(now - last);
    last = now;
  }
  frames.sort((a, b) => a - b);
  return { rows: document.querySelectorAll('[data-testid="queue-row"]').length, median: frames[Math.floor(frames.length / 2)], p95: frames[Math.floor(frames.length * 0.95)], worst: frames[frames.length - 1], scrollTop: body.scrollTop };
})()`;

const tab = (preview: PreviewContext, name: RegExp) => preview.page.getByRole('tab', { name }).click();

export const scenarios: Scenario[] = [
  {
    name: 'queue',
    async run(preview) {
      await preview.shot('queue-light');
      await preview.axe('queue light');
      await preview.page.getByRole('button', { name: 'Pause clip-01.mov' }).waitFor();
      const row = preview.page.locator('[data-testid="queue-row"][data-state="failed"]').first();
      preview.note(
        `first failed row: ${await row.getAttribute('data-job-id')}, progressbar: ${await row.getByRole('progressbar').getAttribute('aria-valuetext')}`,
      );
      await preview.page.keyboard.press('Tab');
      await preview.page.locator('[data-testid="queue-row"]').first().focus();
      await preview.page.keyboard.press('ArrowDown');
      await preview.page.keyboard.press('ArrowDown');
      await preview.page.keyboard.press('Shift+ArrowDown');
      await preview.shot('queue-keyboard');
      await preview.page.keyboard.press('Shift+F10');
      await preview.page.waitForSelector('[role="menu"]');
      await preview.shot('queue-menu');
      await preview.page.keyboard.press('Escape');
      await preview.page.keyboard.press('Escape');
      await preview.page.getByRole('button', { name: /^Failed/ }).click();
      await preview.shot('queue-filter-failed');
      const { page } = preview;
      await page.getByRole('button', { name: /^All/ }).click();
      const clip = page.locator('[data-testid="queue-row"][data-job-id="job-1"]');
      await clip.click();
      await page.keyboard.press(' ');
      await page.waitForTimeout(150);
      preview.note(`after Space on clip-01.mov: data-state=${await clip.getAttribute('data-state')}`);
      await page.keyboard.press(' ');
      await page.waitForTimeout(150);
      preview.note(`after a second Space: data-state=${await clip.getAttribute('data-state')}`);
      await page.locator('[data-testid="queue-row"][data-job-id="job-7"]').click();
      await page.keyboard.press('Delete');
      await page.waitForSelector('[data-testid="undo-toast"]');
      await preview.shot('queue-undo-toast');
      await page.getByRole('button', { name: 'Undo' }).click();
      await page.locator('[data-testid="queue-row"]').first().click();
      await page.keyboard.press('Shift+ArrowDown');
      await page.keyboard.press('Shift+ArrowDown');
      await preview.shot('queue-selection');
      await preview.axe('queue selection');
    },
  },
  {
    name: 'queue-dark',
    colorScheme: 'dark',
    async run(preview) {
      await preview.shot('queue-dark');
      await preview.axe('queue dark');
    },
  },
  {
    name: 'queue-zh',
    locale: 'zh-CN',
    config: { locale: 'zh-CN' },
    async run(preview) {
      await preview.shot('queue-zh');
      await tab(preview, /已接收/);
      await preview.shot('received-zh');
      await tab(preview, /设置/);
      await preview.shot('settings-zh');
      await preview.axe('settings zh');
    },
  },
  {
    name: 'narrow',
    viewport: { width: 820, height: 600 },
    async run(preview) {
      await preview.shot('queue-narrow');
    },
  },
  {
    name: 'empty',
    config: { jobs: 0, received: 0 },
    async run(preview) {
      await preview.shot('empty');
      await preview.axe('empty');
      await preview.page.evaluate(dragScript('dragenter', ['holiday.jpg']));
      await preview.shot('drop-overlay');
      await preview.page.evaluate(dragScript('drop', ['holiday.jpg', 'IMG_9.HEIC']));
      await preview.page.waitForSelector('[data-testid="queue-row"]');
      await preview.page.keyboard.press('Control+O');
      await preview.page.waitForTimeout(200);
      await preview.shot('after-add');
      await tab(preview, /Received/);
      await preview.shot('received-empty');
    },
  },
  {
    name: 'received',
    async run(preview) {
      await tab(preview, /Received/);
      await preview.page.waitForSelector('[data-testid="received-row"]');
      await preview.shot('received-light');
      await preview.axe('received light');
    },
  },
  {
    name: 'received-dark',
    colorScheme: 'dark',
    async run(preview) {
      await tab(preview, /Received/);
      await preview.page.waitForSelector('[data-testid="received-row"]');
      await preview.shot('received-dark');
      await preview.axe('received dark');
    },
  },
  {
    name: 'settings',
    async run(preview) {
      const { page } = preview;
      await page.keyboard.press('Control+,');
      await page.waitForSelector('.settings-view');
      await preview.shot('settings-light');
      await preview.axe('settings light');
      await page.getByLabel('A tus server').check();
      await page.getByLabel('Server address').fill('ftp://example');
      await page.getByLabel('Server address').press('Enter');
      await page.getByRole('button', { name: 'Add header' }).click();
      await page.getByLabel('Name of header 1').fill('Authorization');
      await page.getByLabel('Value of header 1').fill('Bearer 8f2c…');
      await page.getByLabel('Port').fill('80');
      await page.getByLabel('Port').press('Enter');
      await page.getByLabel('Files at once').fill('6');
      await page.getByLabel('Files at once').press('Tab');
      await page.waitForTimeout(200);
      await preview.shot('settings-edits');
      await page.evaluate(`document.querySelector('.settings-view').scrollTop = 99999`);
      await preview.shot('settings-bottom');
      await page.locator('.segment', { hasText: 'Dark' }).click();
      await page.waitForTimeout(150);
      preview.note(`theme after choosing Dark: ${await page.evaluate('document.documentElement.dataset.theme')}`);
      await page.getByLabel('Language').selectOption('zh-CN');
      await page.waitForTimeout(150);
      preview.note(
        `lang after choosing 简体中文: ${await page.evaluate('document.documentElement.lang')}, tab: ${await page.getByRole('tab').first().textContent()}`,
      );
      await preview.shot('settings-switched');
      await preview.axe('settings edits');
    },
  },
  {
    name: 'settings-dark',
    colorScheme: 'dark',
    config: { theme: 'dark', language: 'zh-CN' },
    async run(preview) {
      await preview.page.keyboard.press('Control+,');
      await preview.page.waitForSelector('.settings-view');
      await preview.shot('settings-dark-zh');
      await preview.axe('settings dark zh');
    },
  },
  {
    name: 'ten-thousand',
    config: { jobs: 10_000, live: true },
    async run(preview) {
      const { page } = preview;
      await page.waitForSelector('[data-testid="queue-row"]');
      const result = (await page.evaluate(scrollScript)) as {
        rows: number;
        median: number;
        p95: number;
        worst: number;
        scrollTop: number;
      };
      preview.note(
        `10,000 rows while live: ${result.rows} row elements in the DOM, frame median ${result.median.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms, worst ${result.worst.toFixed(1)} ms, scrolled to ${result.scrollTop}`,
      );
      await page.keyboard.press('Control+End');
      await preview.shot('ten-thousand');
    },
  },
];
