import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../../../test/support/sender-test-kit';
import { withStats } from './source-files';

let dir: string | undefined;
afterEach(async () => {
  await removeDir(dir);
  dir = undefined;
});

it('gives each path its own stat in the order given, with many asked at once, and throws where a path fails', async () => {
  dir = await makeTempDir('source-files');
  const paths: string[] = [];
  for (let i = 0; i < 100; i++) {
    paths.push(join(dir, `f${i}`));
    await writeFile(paths[i]!, Buffer.alloc(i));
  }
  const seen: [string, number][] = [];
  for await (const [path, info] of withStats(paths)) seen.push([path, info.size]);
  expect(seen).toEqual(paths.map((path, i) => [path, i]));

  const withMissing = [...paths.slice(0, 40), join(dir, 'gone'), ...paths.slice(40)];
  const before: string[] = [];
  await expect(
    (async () => {
      for await (const [path] of withStats(withMissing)) before.push(path);
    })(),
  ).rejects.toMatchObject({ code: 'ENOENT' });
  expect(before).toEqual(paths.slice(0, 40));
});
