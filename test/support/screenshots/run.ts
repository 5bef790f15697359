// Entry point of `npm run screenshots` (after `npm run build`): writes docs/screenshots/*.png.
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../e2e/chromium';
import { captureAppScreenshots } from './app-screenshots';

const folder = fileURLToPath(new URL('../../../docs/screenshots', import.meta.url));
const browser = await launchChromium();
try {
  await captureAppScreenshots(browser, folder);
} finally {
  await browser.close();
}
