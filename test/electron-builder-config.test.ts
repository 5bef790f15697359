import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = process.cwd();
const config = JSON.parse(readFileSync(join(root, 'electron-builder.json'), 'utf8')) as Record<string, unknown> & {
  electronFuses: Record<string, boolean>;
  linux: { target: string[] };
  win: { target: string[] };
  mac: { target: string[] };
  files: string[];
};
const scheme = JSON.parse(readFileSync(join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as {
  properties: Record<string, unknown>;
  definitions: Record<string, { properties: Record<string, unknown> }>;
};

describe('packaging config (electron-builder)', () => {
  it('turns off the fuses the app does not use, and loads only a verified asar', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.asar).toBe(true);
  });

  it('builds AppImage and deb, nsis and dmg, with the app id, from the built output only', () => {
    expect(config.appId).toBe('dev.ferry.app');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.files).toEqual(['out/**']);
  });

  it('uses only keys electron-builder knows (a misspelt fuse would be ignored silently)', () => {
    for (const key of Object.keys(config)) expect(scheme.properties, key).toHaveProperty([key]);
    const fuses = scheme.definitions.FuseOptionsV1!.properties;
    for (const key of Object.keys(config.electronFuses)) expect(fuses, key).toHaveProperty([key]);
  });

  it('main loads the preload and the renderer from where the build puts them', () => {
    const main = readFileSync(join(root, 'src/main/index.ts'), 'utf8');
    expect(main).toContain("'../preload/index.cjs'");
    expect(main).toContain("'../renderer'");
    const vite = readFileSync(join(root, 'electron.vite.config.ts'), 'utf8');
    expect(vite).toMatch(/format: 'cjs', entryFileNames: '\[name\]\.cjs'/);
  });
});
