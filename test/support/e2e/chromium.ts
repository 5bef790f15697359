// Debian's Chromium driven by playwright-core. Browser tests never download a browser.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { describe } from 'vitest';

export const chromiumPath = process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(chromiumPath);

/**
 * `describe` for browser suites. Without Chromium they skip with the reason in the name, except under
 * CI, where a missing browser must fail rather than skip.
 */
export const describeInBrowser: typeof describe =
  available || process.env.CI === 'true' ? describe : (describe.skip as typeof describe);
if (!available)
  console.warn(
    `Browser tests: ${chromiumPath} not found (apt-get install -y chromium)${process.env.CI === 'true' ? '' : '; skipping'}`,
  );

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}
