// The phone page for browser tests: built from src/web into a private folder (parallel test files never
// share one), plus a Chromium page at phone size pointed at a sharing receiver.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const root = fileURLToPath(new URL('../../..', import.meta.url));
let built: Promise<string> | undefined;

/** Builds src/web once per test process; returns the folder to pass as the receiver's `webRoot`. */
export function buildWebPage(): Promise<string> {
  built ??= (async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'ferry-web-'));
    const { build } = await import('vite');
    await build({
      configFile: join(root, 'vite.web.config.ts'),
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true },
    });
    return outDir;
  })();
  return built;
}

export const phoneViewport = { width: 360, height: 740 };

export async function openPhone(
  browser: Browser,
  url: string,
  options: { locale?: string; scale?: number } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: phoneViewport,
    deviceScaleFactor: options.scale ?? 1,
    locale: options.locale ?? 'en-US',
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // The page's CSP must never have to block anything it does itself.
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) errors.push(message.text());
  });
  await page.goto(url);
  return { context, page, errors };
}

export interface SourceFile {
  path: string;
  /** Where it should land, relative to the receive folder. */
  landsAt: string;
  sha256: string;
}

/** Writes a file of pseudo-random bytes (seeded, so runs are comparable) and returns its sha256. */
export async function makeFile(path: string, size: number, landsAt: string, seed = path): Promise<SourceFile> {
  await mkdir(dirname(path), { recursive: true });
  const data = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let offset = 0; offset < size; offset += block.length) {
    block.copy(data, offset);
    block = createHash('sha256').update(block).digest();
  }
  await writeFile(path, data);
  return { path, landsAt, sha256: createHash('sha256').update(data).digest('hex') };
}

export async function sha256Of(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}
