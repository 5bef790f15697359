// What `npm start` does, decided from facts that scripts/start.mjs gathers: pure, so every branch is
// unit-tested without a display, a network or an Electron runtime.
import { join } from 'node:path';

const pointToServe = 'run `npm run serve` for the headless receiver instead.';

/** Linux needs an X11 or Wayland display for a window; macOS and Windows always have one. */
export function hasDisplay(platform, env) {
  if (platform !== 'linux') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/**
 * Where the Electron executable is, as electron's own index.js finds it: `path.txt` names it inside
 * `dist/`, or inside ELECTRON_OVERRIDE_DIST_PATH when that is set.
 */
export function electronExecutable(electronDir, env, pathTxt) {
  if (env.ELECTRON_OVERRIDE_DIST_PATH) return join(env.ELECTRON_OVERRIDE_DIST_PATH, pathTxt || 'electron');
  return pathTxt ? join(electronDir, 'dist', pathTxt) : null;
}

/**
 * The steps, in order, or the one line that explains why the app cannot start here.
 * @param {{ platform: string, env: Record<string, string | undefined>, runtimeInstalled: boolean }} facts
 * @returns {{ steps: ('fetch-runtime' | 'build' | 'launch')[] } | { refuse: string }}
 */
export function planStart({ platform, env, runtimeInstalled }) {
  // Checked first: no point fetching a runtime that could not open a window anyway.
  if (!hasDisplay(platform, env)) {
    return {
      refuse: `Ferry: no display here (DISPLAY and WAYLAND_DISPLAY are unset), so the desktop window cannot open; ${pointToServe}`,
    };
  }
  return { steps: runtimeInstalled ? ['build', 'launch'] : ['fetch-runtime', 'build', 'launch'] };
}

/**
 * The one line for a failed download. Electron's installer prints a stack trace whose first line is
 * the error ("TypeError: fetch failed", "HTTPError: Response code 404 …"); a `cause:` line, when
 * start.mjs could add one, says what underlies it.
 */
export function fetchFailedLine(installerOutput) {
  const lines = installerOutput.split('\n').map((line) => line.trim());
  const first =
    lines.find((line) => line !== '' && !line.startsWith('cause: ')) ?? 'the installer exited with an error';
  const cause = lines.find((line) => line.startsWith('cause: '))?.slice('cause: '.length);
  const reason = first.replace(/^(TypeError|Error|RequestError|HTTPError):\s*/, '') + (cause ? `: ${cause}` : '');
  const short = reason.length > 160 ? `${reason.slice(0, 157)}...` : reason;
  return `Ferry: Electron's runtime could not be downloaded (${short}), so the desktop app cannot start here; ${pointToServe}`;
}

/** The one line for a runtime that is there but cannot be started (missing, not executable …). */
export function launchFailedLine(error) {
  return `Ferry: Electron could not be started (${error.code ?? error.message}); ${pointToServe}`;
}
