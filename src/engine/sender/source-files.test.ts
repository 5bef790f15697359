import { writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../../../test/support/sender-test-kit';
import { relativeTo, withStats } from './source-files';

let dir: string | undefined;
afterEach(async () => {
  await removeDir(dir);
  dir = undefined;
});

for (const blocking of [false, true])
  it(`gives each path its own stat in the order given, and throws where a path fails (${blocking ? 'blocking calls' : 'many asked at once'})`, async () => {
    dir = await makeTempDir('source-files');
    const paths: string[] = [];
    for (let i = 0; i < 100; i++) {
      paths.push(join(dir, `f${i}`));
      await writeFile(paths[i]!, Buffer.alloc(i));
    }
    const seen: [string, number][] = [];
    for await (const [path, info] of withStats(paths, { blocking })) seen.push([path, info.size]);
    expect(seen).toEqual(paths.map((path, i) => [path, i]));

    const withMissing = [...paths.slice(0, 40), join(dir, 'gone'), ...paths.slice(40)];
    const before: string[] = [];
    await expect(
      (async () => {
        for await (const [path] of withStats(withMissing, { blocking })) before.push(path);
      })(),
    ).rejects.toMatchObject({ code: 'ENOENT' });
    expect(before).toEqual(paths.slice(0, 40));
  });

// POSIX paths: on Windows the same cut is made on `\`.
it.skipIf(sep !== '/')('relativeTo cuts the root off a walked path, and falls back to relative() for any other', () => {
  expect(relativeTo('/a/b', '/a/b/c/d.txt')).toBe('c/d.txt');
  expect(relativeTo('/', '/c/d.txt')).toBe('c/d.txt');
  // Only a whole segment is a prefix: '/a/bc' is not under '/a/b'.
  expect(relativeTo('/a/b', '/a/bc/d.txt')).toBe('../bc/d.txt');
  expect(relativeTo('/a/b', '/x/y.txt')).toBe('../../x/y.txt');
});
