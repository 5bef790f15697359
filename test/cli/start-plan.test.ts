import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  electronExecutable,
  fetchFailedLine,
  hasDisplay,
  launchFailedLine,
  planStart,
} from '../../scripts/start-plan.mjs';

describe('planStart', () => {
  it('fetches the runtime first when it is missing, then builds and launches', () => {
    expect(planStart({ platform: 'linux', env: { DISPLAY: ':0' }, runtimeInstalled: false })).toEqual({
      steps: ['fetch-runtime', 'build', 'launch'],
    });
  });

  it('builds and launches at once when the runtime is there', () => {
    expect(planStart({ platform: 'linux', env: { WAYLAND_DISPLAY: 'wayland-0' }, runtimeInstalled: true })).toEqual({
      steps: ['build', 'launch'],
    });
  });

  it('refuses on Linux without a display before fetching anything, pointing to npm run serve', () => {
    const plan = planStart({ platform: 'linux', env: { DISPLAY: '' }, runtimeInstalled: false });
    expect(plan).toEqual({ refuse: expect.stringContaining('npm run serve') });
    expect('refuse' in plan && plan.refuse).not.toContain('\n');
  });

  it('needs no display variable on macOS or Windows', () => {
    expect(hasDisplay('darwin', {})).toBe(true);
    expect(hasDisplay('win32', {})).toBe(true);
    expect(hasDisplay('linux', {})).toBe(false);
  });
});

describe('electronExecutable', () => {
  it('is the file path.txt names inside dist/, or nothing before the runtime is fetched', () => {
    expect(electronExecutable('/p/electron', {}, 'electron')).toBe(join('/p/electron', 'dist', 'electron'));
    expect(electronExecutable('/p/electron', {}, '')).toBeNull();
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH as electron itself does', () => {
    expect(electronExecutable('/p/electron', { ELECTRON_OVERRIDE_DIST_PATH: '/custom' }, '')).toBe(
      join('/custom', 'electron'),
    );
  });
});

describe('fetchFailedLine', () => {
  it('condenses the installer stack trace and its cause to one line that points to npm run serve', () => {
    const output =
      'cause: getaddrinfo ENOTFOUND github.com\nTypeError: fetch failed\n    at node:internal/deps/undici/undici:14976:13\n    at async FetchDownloader.download (file:///x.js:46:30)\n';
    const line = fetchFailedLine(output);
    expect(line).toBe(
      "Ferry: Electron's runtime could not be downloaded (fetch failed: getaddrinfo ENOTFOUND github.com), so the desktop app cannot start here; run `npm run serve` for the headless receiver instead.",
    );
  });

  it('keeps an HTTP status and shortens a very long reason', () => {
    expect(fetchFailedLine('HTTPError: Response code 404 (Not Found) for https://mirror/x.zip\n    at y')).toContain(
      '(Response code 404 (Not Found) for https://mirror/x.zip)',
    );
    const line = fetchFailedLine(`Error: ${'x'.repeat(500)}`);
    expect(line).toContain(`(${'x'.repeat(157)}...)`);
    expect(line).not.toContain('\n');
  });

  it('still says something when the installer printed nothing', () => {
    expect(fetchFailedLine('')).toContain('the installer exited with an error');
  });
});

it('launchFailedLine names the error code', () => {
  expect(launchFailedLine(Object.assign(new Error('spawn x EACCES'), { code: 'EACCES' }))).toBe(
    'Ferry: Electron could not be started (EACCES); run `npm run serve` for the headless receiver instead.',
  );
});
