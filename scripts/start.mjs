#!/usr/bin/env node
// `npm start`: launches the desktop app, or explains in one line why it cannot and points to the headless server.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const pkgDir = dirname(require.resolve('electron/package.json'));
    const pathFile = join(pkgDir, 'path.txt');
    return existsSync(pathFile) ? join(pkgDir, 'dist') : null;
  } catch {
    return null;
  }
}

const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
if (!electronBinary()) {
  console.error('Ferry: the Electron runtime is not installed on this machine (run `npx electron --version` with network access to fetch it); use `npm run serve` for the headless receiver.');
  process.exit(1);
}
if (noDisplay) {
  console.error('Ferry: no display is available (DISPLAY is not set), so the desktop window cannot open; use `npm run serve` for the headless receiver.');
  process.exit(1);
}
const result = spawnSync('npx', ['electron-vite', 'dev'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
