// Bundles the sender child into one plain JavaScript file, so each sender runs
// on bare Node the way the app ships its engine (bundled), without the tsx
// loader's 77 MiB in every RSS figure. Both senders get the same treatment.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const childSource = fileURLToPath(new URL('./sender-child.ts', import.meta.url));

export async function bundleSenderChild(): Promise<string> {
  const outfile = join(await mkdtemp(join(tmpdir(), 'ferry-bench-child-')), 'sender-child.mjs');
  await build({
    entryPoints: [childSource],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    // Some bundled CommonJS packages call require() for Node built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  return outfile;
}
