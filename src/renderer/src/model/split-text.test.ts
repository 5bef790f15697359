import { describe, expect, it } from 'vitest';
import { splitFileName, splitFolder } from './split-text';

describe('name and folder splitting', () => {
  it('keeps the extension and a few letters before it in the tail', () => {
    expect(splitFileName('clip-2026-very-long.mov')).toEqual({ head: 'clip-2026-ver', tail: 'y-long.mov' });
    expect(splitFileName('IMG_0412.HEIC')).toEqual({ head: 'IMG_', tail: '0412.HEIC' });
  });

  it('treats dot files and long suffixes as part of the name', () => {
    expect(splitFileName('.env')).toEqual({ head: '.e', tail: 'nv' });
    expect(splitFileName('a.this-is-not-an-extension')).toEqual({ head: 'a.this-is-not-an-ext', tail: 'ension' });
  });

  it('keeps the spaces at the cut, on either side', () => {
    // The tail of "voice memo.m4a" starts with the space; the view must not lose it.
    expect(splitFileName('voice memo.m4a')).toEqual({ head: 'voice', tail: ' memo.m4a' });
    expect(splitFileName('my notes .txt')).toEqual({ head: 'my no', tail: 'tes .txt' });
    expect(splitFileName('Holiday  2026 .mov')).toEqual({ head: 'Holiday ', tail: ' 2026 .mov' });
  });

  it('never cuts inside a character', () => {
    // A surrogate pair (🎉), a letter with a combining accent (e\u0301), emoji joined by a ZWJ (👩‍💻).
    expect(splitFileName('abc🎉xyz.png')).toEqual({ head: 'abc', tail: '🎉xyz.png' });
    expect(splitFileName('abce\u0301xy.txt')).toEqual({ head: 'abc', tail: 'e\u0301xy.txt' });
    expect(splitFileName('x👩\u200D💻y.png')).toEqual({ head: 'x', tail: '👩\u200D💻y.png' });
  });

  it('always joins back to the name', () => {
    for (const name of [
      '',
      'a',
      'ab.c',
      'notes.pdf',
      '照片 2026-01-01.jpeg',
      'archive.tar.gz',
      'voice memo.m4a',
      '🎉🎉.gif',
      'e\u0301e\u0301e\u0301',
    ]) {
      const { head, tail } = splitFileName(name);
      expect(head + tail).toBe(name);
    }
  });

  it('keeps the last folder visible', () => {
    expect(splitFolder('trip/2026/day-1')).toEqual({ head: 'trip/2026', tail: '/day-1' });
    expect(splitFolder('C:\\Users\\me\\Videos\\')).toEqual({ head: 'C:\\Users\\me', tail: '\\Videos' });
    expect(splitFolder('photos')).toEqual({ head: '', tail: 'photos' });
  });
});
