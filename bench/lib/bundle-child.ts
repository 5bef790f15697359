// Bundles a benchmark child into one plain JavaScript file, so it runs on bare Node the way the app
// ships its engine (bundled), without the tsx loader's 77 MiB in every RSS figure. Both senders, and
// the headless main of the app benchmark, get the same treatment.
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

export async function bundleChild(
  source: string,
  extra: { plugins?: Plugin[]; sourcemap?: 'external' } = {},
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-child-'));
  // The bundle lives as long as the benchmark that made it.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const outfile = join(dir, basename(source).replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [source],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    ...extra,
    // Some bundled CommonJS packages call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  return outfile;
}

export function bundleSenderChild(): Promise<string> {
  return bundleChild(fileURLToPath(new URL('./sender-child.ts', import.meta.url)));
}
