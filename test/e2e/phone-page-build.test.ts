// The real phone page build: small, and loadable under its own CSP (no inline script or style).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildWebPage } from '../support/e2e/web-page';

/** The budget for the page's JS + CSS, gzipped; at the time of writing it is about 26 KB. */
const budgetBytes = 32 * 1024;

describe('phone page build', () => {
  it('stays small: JS + CSS under the gzip budget', async () => {
    const root = await buildWebPage();
    const assets = await readdir(join(root, 'assets'));
    const weights = await Promise.all(
      assets
        .filter((name) => /\.(js|css)$/.test(name))
        .map(async (name) => gzipSync(await readFile(join(root, 'assets', name)), { level: 9 }).length),
    );
    const total = weights.reduce((sum, size) => sum + size, 0);
    console.log(`phone page weight: ${(total / 1024).toFixed(1)} KB gzipped (JS + CSS, ${weights.length} files)`);
    expect(weights.length).toBeGreaterThanOrEqual(2);
    expect(total).toBeLessThan(budgetBytes);
  });

  it('has no inline script or style, and loads its assets by relative URL', async () => {
    const html = await readFile(join(await buildWebPage(), 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style=/);
    expect(html).toMatch(/src="\.\/assets\/[\w.-]+\.js"/);
  });
});
