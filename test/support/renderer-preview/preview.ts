// Visual preview of the window: builds src/renderer, serves it on loopback with the app's CSP, fakes
// main (window.ferry) and the receiver's /ws, and screenshots every view into /tmp/preview.
// Run: npx tsx test/support/renderer-preview/preview.ts [--no-build] [--only name,name]
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { build as viteBuild } from 'vite';
import { launchChromium } from '../e2e/chromium';
import type { PreviewConfig } from './fake-ferry-entry';
import { makeJobs, makeReceiverEvents } from './fake-jobs';
import { startFakeReceiver } from './fake-receiver';
import { scenarios, type Scenario } from './scenarios';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = resolve(here, '../../../out/renderer-preview');
const shots = process.env.FERRY_PREVIEW_DIR ?? '/tmp/preview';
const args = process.argv.slice(2);
const only = args.includes('--only') ? new Set(args[args.indexOf('--only') + 1]!.split(',')) : undefined;
const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

async function serve(csp: string) {
  const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  const server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = pathname === '/__axe.js' ? axePath : normalize(join(dist, pathname === '/' ? 'index.html' : pathname));
    if (file !== axePath && !file.startsWith(dist + sep)) return void res.writeHead(404).end();
    readFile(file).then(
      (body) =>
        res
          .writeHead(200, {
            'content-type': types[extname(file)] ?? 'application/octet-stream',
            'content-security-policy': csp,
            'x-content-type-options': 'nosniff',
          })
          .end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

async function fakeFerryScript(): Promise<string> {
  const result = await esbuild({
    entryPoints: [join(here, 'fake-ferry-entry.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'error',
  });
  return result.outputFiles[0]!.text;
}

// Runs in the page (a string: this file is type-checked without the DOM library).
const axeScript = `(async () => {
  const result = await axe.run(document, { resultTypes: ['violations'] });
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' — ' + n.failureSummary.split('\\n').slice(1, 2).join(' ')) }));
})()`;

export interface PreviewContext {
  page: Page;
  origin: string;
  shot(name: string): Promise<void>;
  axe(label: string): Promise<void>;
  note(line: string): void;
}

async function runScenario(
  browser: Browser,
  scenario: Scenario,
  origin: string,
  receiverOrigin: string,
  fake: string,
  report: string[],
) {
  const context = await browser.newContext({
    viewport: scenario.viewport ?? { width: 1180, height: 760 },
    colorScheme: scenario.colorScheme ?? 'light',
    deviceScaleFactor: 1,
    locale: scenario.locale ?? 'en-US',
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  const config: PreviewConfig = {
    jobs: 300,
    received: 14,
    language: 'system',
    theme: 'system',
    locale: scenario.locale ?? 'en-US',
    receiverOrigin,
    live: false,
    ...scenario.config,
  };
  await page.addInitScript({ content: `globalThis.__ferryPreview = ${JSON.stringify(config)};` });
  await page.addInitScript({ content: fake });
  await page.goto(`${origin}/index.html`);
  await page.waitForSelector('.app-header');
  await page.waitForTimeout(300);
  const preview: PreviewContext = {
    page,
    origin,
    shot: async (name) => void (await page.screenshot({ path: join(shots, `${name}.png`) })),
    axe: async (label) => {
      await page.addScriptTag({ url: `${origin}/__axe.js` });
      const violations = (await page.evaluate(axeScript)) as Array<{ id: string; impact: string; nodes: string[] }>;
      const serious = violations.filter(
        (violation) => violation.impact === 'serious' || violation.impact === 'critical',
      );
      report.push(
        `axe ${label}: ${violations.length} violation(s), ${serious.length} serious/critical${violations.map((violation) => `\n    ${violation.impact} ${violation.id}: ${violation.nodes.join(' | ')}`).join('')}`,
      );
    },
    note: (line) => report.push(`${scenario.name}: ${line}`),
  };
  await scenario.run(preview);
  report.push(`${scenario.name}: ${problems.length === 0 ? 'no console errors' : problems.join('\n    ')}`);
  await context.close();
}

async function main() {
  await mkdir(shots, { recursive: true });
  if (!args.includes('--no-build')) await viteBuild({ configFile: join(here, 'vite.config.ts') });
  const receiver = await startFakeReceiver(() => makeReceiverEvents(makeJobs(300, '', Date.now()), Date.now()), {
    live: args.includes('--live'),
  });
  const wsOrigin = receiver.origin.replace(/^http/, 'ws');
  const csp = `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${receiver.origin} ${wsOrigin}; object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'`;
  const server = await serve(csp);
  const fake = await fakeFerryScript();
  const browser = await launchChromium();
  const report: string[] = [];
  try {
    for (const scenario of scenarios) {
      if (only && !only.has(scenario.name)) continue;
      await runScenario(browser, scenario, server.origin, receiver.origin, fake, report);
    }
  } finally {
    await browser.close();
    await server.close();
    await receiver.close();
  }
  console.log(`Screenshots in ${shots}\n${report.join('\n')}`);
}

await main();
