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
  it('passes the real source tree', () => {
    expect(check(process.cwd()).code).toBe(0);
  });

  it.each([
    ['src/engine/a.ts', "import { app } from 'electron';", 'engine/ must not import'],
    ['src/shared/a.ts', "import { readFile } from 'node:fs';", 'shared/ must not import'],
    ['src/renderer/src/a.ts', "import { x } from '../../engine/b';", 'renderer/ must not import from engine/'],
    ['src/web/a.ts', "import { x } from '../main/index';", 'web/ must not import from main/'],
  ])('fails when %s breaks a rule', (path, source, expected) => {
    const result = check(tree({ [path]: source, 'src/engine/b.ts': 'export const x = 1;', 'src/main/index.ts': 'export const x = 1;' }));
    expect(result.code).toBe(1);
    expect(result.output).toContain(expected);
  });
});
