// Drag and drop onto a page in the browser tests, two ways: real files and folders from disk (the drop
// an OS makes: folders arrive as directory entries), or Files made by script in the page.
import type { Page } from 'playwright-core';

/**
 * Drops these paths (files or folders) from disk at a point of the page, through Chromium's own drag
 * input (CDP `Input.dispatchDragEvent`). Unlike a script-made DataTransfer, a folder arrives as a
 * real directory entry that `webkitGetAsEntry()` can walk.
 */
export async function dropFromDisk(page: Page, paths: string[], at = { x: 180, y: 300 }): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const data = { items: [], files: paths, dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver', 'drop'])
      await cdp.send('Input.dispatchDragEvent', { type: type as 'drop', ...at, data });
  } finally {
    await cdp.detach();
  }
}

/** The few DOM members the in-page function uses (this file is type-checked without the DOM lib). */
interface InPage {
  DataTransfer: new () => { items: { add(file: unknown): void } };
  File: new (parts: string[], name: string, options: { lastModified: number }) => unknown;
  DragEvent: new (type: string, init: { bubbles: boolean; cancelable: boolean; dataTransfer: unknown }) => unknown;
  document: { body: { dispatchEvent(event: unknown): void } };
}

/** Drops Files made in the page (name and text content), as a script-made DataTransfer carries them. */
export async function dropMadeFiles(page: Page, files: Array<{ name: string; text: string }>): Promise<void> {
  await page.evaluate((made) => {
    const dom = globalThis as unknown as InPage;
    const transfer = new dom.DataTransfer();
    for (const { name, text } of made) transfer.items.add(new dom.File([text], name, { lastModified: 1 }));
    for (const type of ['dragenter', 'dragover', 'drop'])
      dom.document.body.dispatchEvent(
        new dom.DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }),
      );
  }, files);
}
