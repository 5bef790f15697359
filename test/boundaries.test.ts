import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const script = join(process.cwd(), 'scripts/check-boundaries.mjs');
let root = '';

function tree(files: Record<string, string>): string {
  root = mkdtempSync(join(tmpdir(), 'ferry-bounds-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function check(dir: string): { code: number; output: string } {
  try {
    return { code: 0, output: execFileSync('node', [script, dir], { encoding: 'utf8', stdio: 'pipe' }) };
  } catch (error) {
    const failed = error as { status: number; stderr: string };
    return { code: failed.status, output: failed.stderr };
  }
}

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('boundary check', () => {
  it('lets main/ compose core and electron, core use engine and shared, and preload use shared', () => {
    const result = check(
      tree({
        'src/main/index.ts':
          "import { app } from 'electron';\nimport { a } from './core/a';\nimport { t } from './electron/tray';",
        'src/main/core/a.ts':
          "import { e } from '../../engine/e';\nimport { s } from '../../shared/s';\nimport { b } from './b';\nexport const a = 1;",
        'src/main/core/b.ts': 'export const b = 1;',
        'src/main/electron/tray.ts':
          "import { Tray } from 'electron';\nimport { a } from '../core/a';\nexport const t = 1;",
        'src/preload/index.ts': "import { contextBridge } from 'electron';\nimport { s } from '../shared/s';",
        'src/engine/e.ts': 'export const e = 1;',
        'src/shared/s.ts': 'export const s = 1;',
      }),
    );
    expect(result.code, result.output).toBe(0);
  });

  it('passes the real source tree', () => {
    expect(check(process.cwd()).code).toBe(0);
  });

  it.each([
    ['src/engine/a.ts', "import { app } from 'electron';", 'engine/ must not import'],
    ['src/shared/a.ts', "import { readFile } from 'node:fs';", 'shared/ must not import'],
    ['src/renderer/src/a.ts', "import { x } from '../../engine/b';", 'renderer/ must not import from engine/'],
    ['src/web/a.ts', "import { x } from '../main/index';", 'web/ must not import from main/'],
    ['src/main/core/a.ts', "import { app } from 'electron';", 'main/core/ must not import'],
    ['src/main/core/a.ts', "import type { BrowserWindow } from 'electron';", 'main/core/ must not import'],
    ['src/main/core/a.ts', "import Store from 'electron-store';", 'main/core/ must not import'],
    [
      'src/main/core/a.ts',
      "import { tray } from '../electron/tray';",
      'main/core/ must not import from main/electron/',
    ],
    ['src/main/core/a.ts', "import { x } from '../index';", 'main/core/ must not import from main/'],
    ['src/preload/a.ts', "import { x } from '../main/core/b';", 'preload/ must not import from main/core/'],
    ['src/preload/a.ts', "import { x } from '../engine/b';", 'preload/ must not import from engine/'],
    ['src/renderer/src/a.ts', "import { x } from '../../main/core/b';", 'renderer/ must not import from main/core/'],
  ])('fails when %s breaks a rule', (path, source, expected) => {
    const result = check(
      tree({
        [path]: source,
        'src/engine/b.ts': 'export const x = 1;',
        'src/main/index.ts': 'export const x = 1;',
        'src/main/core/b.ts': 'export const x = 1;',
        'src/main/electron/tray.ts': 'export const tray = 1;',
      }),
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain(expected);
  });

  it('lets the receiver use its store, and the store use the engine beside it', () => {
    const result = check(
      tree({
        'src/engine/receiver/tus/post.ts': "import { StoreError } from '../store/errors';",
        'src/engine/receiver/store/errors.ts':
          "import { FerryError } from '../../errors';\nexport const StoreError = 1;",
        'src/engine/errors.ts': 'export const FerryError = 1;',
      }),
    );
    expect(result.code, result.output).toBe(0);
  });

  it.each(['tus', 'http', 'multipart', 'live', 'sharing'])(
    'fails when the store imports from receiver/%s, type-only and in its tests too',
    (part) => {
      const result = check(
        tree({
          'src/engine/receiver/store/append.ts': `import { TusError } from '../${part}/x';`,
          'src/engine/receiver/store/types.ts': `import type { Header } from '../${part}/x';`,
          'src/engine/receiver/store/append.test.ts': `import { y } from '../${part}/x';`,
          [`src/engine/receiver/${part}/x.ts`]:
            'export const TusError = 1;\nexport type Header = 1;\nexport const y = 1;',
        }),
      );
      expect(result.code).toBe(1);
      for (const file of ['append.ts', 'types.ts', 'append.test.ts'])
        expect(result.output).toContain(
          `src/engine/receiver/store/${file}: engine/receiver/store/ must not import from engine/receiver/${part}/`,
        );
    },
  );

  it('fails on test code in what ships: vitest or test/ imported by a non-test file', () => {
    const result = check(
      tree({
        'src/engine/a.ts': "import { expect } from 'vitest';",
        'src/engine/b.ts': "import { kit } from '../../test/support/kit';",
        'src/engine/c.test.ts': "import { it } from 'vitest';\nimport { kit } from '../../test/support/kit';",
        'test/support/kit.ts': 'export const kit = 1;',
      }),
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain("src/engine/a.ts: only *.test.ts files in src/ may import 'vitest'");
    expect(result.output).toContain('src/engine/b.ts: src/ must not import from outside src/');
    expect(result.output).not.toContain('c.test.ts');
  });

  it('fails on an import circle, type-only imports included, and names every file in it', () => {
    const result = check(
      tree({
        'src/engine/a.ts': "import { b } from './b';\nexport const a = 1;",
        'src/engine/b.ts': "import type { C } from './c';\nexport const b = 1;",
        'src/engine/c.ts': "import { a } from './a';\nexport type C = number;",
        'src/engine/d.ts': "import { a } from './a';",
      }),
    );
    expect(result.code).toBe(1);
    expect(result.output).toMatch(
      /import circle: .*src\/engine\/[abc]\.ts -> .*src\/engine\/[abc]\.ts -> .*src\/engine\/[abc]\.ts\n?/,
    );
    expect(result.output).not.toContain('d.ts');
  });
});
