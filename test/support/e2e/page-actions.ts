// What a person does in the window, expressed once for the browser tests.
import type { Page } from 'playwright-core';

/** The few DOM members the in-page functions use (this file is type-checked without the DOM lib). */
interface InPage {
  DataTransfer: new () => { items: { add(file: unknown): void } };
  File: new (parts: string[], name: string) => unknown;
  DragEvent: new (type: string, init: { bubbles: boolean; cancelable: boolean; dataTransfer: unknown }) => unknown;
  document: {
    body: { dispatchEvent(event: unknown): void };
    addEventListener(type: string, listener: (event: { violatedDirective: string; blockedURI: string }) => void): void;
  };
  __cspViolations: string[];
}

/** Drops files (and folders) on the window the way Chromium delivers them: a DataTransfer of Files. */
export async function dropFiles(page: Page, names: string[]): Promise<void> {
  await page.evaluate((fileNames) => {
    const dom = globalThis as unknown as InPage;
    const transfer = new dom.DataTransfer();
    for (const name of fileNames) transfer.items.add(new dom.File(['x'], name));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      dom.document.body.dispatchEvent(
        new dom.DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }),
      );
    }
  }, names);
}

/** The raw state key of every queue row, by file name. */
export async function rowStates(page: Page): Promise<Record<string, string>> {
  return page.$$eval('[data-testid="queue-row"]', (rows) =>
    Object.fromEntries(
      rows.map((row) => [
        row.getAttribute('data-name') ?? row.querySelector('[data-part="name"]')?.textContent ?? row.textContent ?? '',
        row.getAttribute('data-state') ?? '',
      ]),
    ),
  );
}

/** Collects Content-Security-Policy violations the page reports. */
export async function watchCspViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const dom = globalThis as unknown as InPage;
    dom.__cspViolations = [];
    dom.document.addEventListener('securitypolicyviolation', (event) =>
      dom.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  return () => page.evaluate(() => (globalThis as unknown as InPage).__cspViolations);
}
