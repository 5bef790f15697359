import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filePathsFromArgs, userArgs } from './launch-args';

describe('launch arguments', () => {
  it('keeps file arguments, resolved against the launching folder, and drops switches', () => {
    expect(
      filePathsFromArgs(
        ['--enable-logging', 'a.txt', '/abs/b.bin', '-psn_0_1234', '--inspect=9229', 'dir/c'],
        '/home/ann',
      ),
    ).toEqual([resolve('/home/ann', 'a.txt'), '/abs/b.bin', resolve('/home/ann', 'dir/c')]);
  });

  it('takes everything after -- as a file, and skips empty or NUL arguments', () => {
    expect(filePathsFromArgs(['--', '--weird-name.txt', '', 'x\0y'], '/w')).toEqual([
      resolve('/w', '--weird-name.txt'),
    ]);
  });

  it('skips the executable, and the app path when unpackaged', () => {
    expect(userArgs(['/opt/Ferry/ferry', 'a'], true)).toEqual(['a']);
    expect(userArgs(['/usr/bin/electron', '.', 'a'], false)).toEqual(['a']);
  });
});
