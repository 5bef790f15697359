import { describe, expect, it } from 'vitest';
import {
  MAX_DIR_DEPTH,
  MAX_NAME_BYTES,
  sanitizeDisplayName,
  sanitizeRelativeDir,
  splitExtension,
  withCollisionSuffix,
} from './sanitize-filename';

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** No separators, no device name, nothing invisible, no trailing dot/space, within NAME_MAX. */
function expectSafeComponent(name: string): void {
  expect(name).not.toBe('');
  expect(name).not.toMatch(/[\\/<>:"|?*]/);
  expect(name).not.toMatch(/^\.+$/);
  expect(name).not.toMatch(/[. ]$/);
  expect(bytes(name)).toBeLessThanOrEqual(MAX_NAME_BYTES);
  for (const ch of name) {
    const cp = ch.codePointAt(0) ?? 0;
    expect(cp < 0x20 || (cp >= 0x7f && cp <= 0x9f), `control U+${cp.toString(16)}`).toBe(false);
    expect(/[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/.test(ch), `invisible U+${cp.toString(16)}`).toBe(false);
  }
}

describe('sanitizeDisplayName', () => {
  const cases: Array<[label: string, input: string, expected: string]> = [
    ['plain name', 'report.pdf', 'report.pdf'],
    ['unicode kept', 'Фото 2024 ✓.jpg', 'Фото 2024 ✓.jpg'],
    ['NFD normalized to NFC', 'cafe\u0301.txt', 'caf\u00e9.txt'],
    ['dot-file kept', '.bashrc', '.bashrc'],
    ['parent traversal', '../../etc/passwd', 'passwd'],
    ['bare ..', '..', 'file'],
    ['bare .', '.', 'file'],
    ['only dots', '.....', 'file'],
    ['traversal then nothing', '../..', 'file'],
    ['absolute posix path', '/etc/shadow', 'shadow'],
    ['backslash traversal', '..\\..\\windows\\win.ini', 'win.ini'],
    ['drive letter path', 'C:\\x\\con.txt', '_con.txt'],
    ['drive-relative', 'C:evil.exe', 'evil.exe'],
    ['UNC share root only', '\\\\server\\share', 'file'],
    ['UNC path', '\\\\server\\share\\dir\\a.txt', 'a.txt'],
    ['Win32 device path', '\\\\?\\C:\\dir\\b.txt', 'b.txt'],
    ['mixed separators', 'a/b\\c.txt', 'c.txt'],
    ['trailing separator', 'photos/', 'photos'],
    ['empty', '', 'file'],
    ['whitespace only', '   ', 'file'],
    ['NUL byte', 'a\u0000b.txt', 'ab.txt'],
    ['C0 controls', 'a\r\n\tb.txt', 'ab.txt'],
    ['DEL', 'a\u007fb.txt', 'ab.txt'],
    ['C1 controls', 'a\u0085\u009bb.txt', 'ab.txt'],
    ['RLO disguising an extension', 'invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['LRE/RLE/PDF/LRO', '\u202Aa\u202Bb\u202Cc\u202D.txt', 'abc.txt'],
    ['isolates', '\u2066a\u2067b\u2068c\u2069.txt', 'abc.txt'],
    ['LRM/RLM', 'a\u200Eb\u200F.txt', 'ab.txt'],
    ['zero-width chars and BOM', '\uFEFFa\u200Bb\u200Cc\u200Dd\u2060.txt', 'abcd.txt'],
    ['lone surrogate', 'a\uD800b.txt', 'ab.txt'],
    ['windows-forbidden chars', 'a<b>c:d"e|f?g*h.txt', 'a_b_c_d_e_f_g_h.txt'],
    ['trailing dots and spaces', 'name.txt. . .', 'name.txt'],
    ['leading spaces', '   name.txt', 'name.txt'],
    ['CON', 'CON', '_CON'],
    ['con lowercase with extension', 'con.txt', '_con.txt'],
    ['PRN double extension', 'PRN.tar.gz', '_PRN.tar.gz'],
    ['AUX', 'Aux.log', '_Aux.log'],
    ['NUL with space before dot', 'nul .txt', '_nul .txt'],
    ['COM1', 'COM1', '_COM1'],
    ['com9 with extension', 'com9.dat', '_com9.dat'],
    ['LPT1', 'lpt1', '_lpt1'],
    ['LPT9.txt', 'LPT9.txt', '_LPT9.txt'],
    ['COM superscript', 'COM\u00b9.txt', '_COM\u00b9.txt'],
    ['CONIN$', 'CONIN$', '_CONIN$'],
    ['COM0 is not reserved', 'COM0.txt', 'COM0.txt'],
    ['CON as a prefix is fine', 'CONTRACT.pdf', 'CONTRACT.pdf'],
    ['device name after trailing-dot trim', 'CON.', '_CON'],
  ];

  it.each(cases)('%s', (_label, input, expected) => {
    const result = sanitizeDisplayName(input);
    expect(result).toBe(expected);
    expectSafeComponent(result);
  });

  const longCases: Array<[label: string, input: string, extension: string]> = [
    ['ASCII 300 bytes', `${'a'.repeat(296)}.txt`, '.txt'],
    ['2-byte chars', `${'é'.repeat(200)}.jpeg`, '.jpeg'],
    ['3-byte chars', `${'語'.repeat(100)}.md`, '.md'],
    ['4-byte emoji', `${'😀'.repeat(80)}.png`, '.png'],
    ['combining sequences', `${'e\u0301'.repeat(200)}.txt`, '.txt'],
    ['no extension', 'b'.repeat(400), ''],
    ['extension too long to keep', `x.${'y'.repeat(300)}`, ''],
  ];

  it.each(longCases)('truncates to 255 UTF-8 bytes: %s', (_label, input, extension) => {
    const result = sanitizeDisplayName(input);
    expectSafeComponent(result);
    expect(bytes(result)).toBeGreaterThan(MAX_NAME_BYTES - 4);
    expect(result.endsWith(extension)).toBe(true);
    // Never splits a code point: re-encoding round-trips and no U+FFFD appears.
    expect(Buffer.from(result, 'utf8').toString('utf8')).toBe(result);
    expect(result).not.toContain('\uFFFD');
    expect(input.normalize('NFC').startsWith(result.slice(0, result.length - extension.length))).toBe(true);
  });

  it('keeps a name of exactly 255 bytes untouched', () => {
    const name = `${'a'.repeat(251)}.txt`;
    expect(sanitizeDisplayName(name)).toBe(name);
  });
});

describe('sanitizeRelativeDir', () => {
  const cases: Array<[label: string, input: string, expected: string[]]> = [
    ['file path', 'photos/2024/a.jpg', ['photos', '2024']],
    ['directory path', 'photos/2024/', ['photos', '2024']],
    ['bare file name', 'a.jpg', []],
    ['empty', '', []],
    ['parent traversal dropped', '../../etc/cron.d/x', ['etc', 'cron.d']],
    ['traversal in the middle dropped, not resolved', 'a/../../b/./c/f', ['a', 'b', 'c']],
    ['absolute path', '/etc/passwd', ['etc']],
    ['backslashes', 'photos\\2024\\a.jpg', ['photos', '2024']],
    ['drive letter', 'C:\\Windows\\System32\\evil.dll', ['Windows', 'System32']],
    ['UNC root', '\\\\server\\share\\docs\\f.txt', ['docs']],
    ['device path', '\\\\?\\UNC\\server\\share\\docs\\f.txt', ['docs']],
    ['reserved device folder', 'con/aux.d/f', ['_con', '_aux.d']],
    ['controls and bidi in folder', 'ph\u0000o\u202Etos/f', ['photos']],
    ['trailing dots on folders', 'a../b. /f', ['a', 'b']],
    ['folder of only dots', '.../..../f', []],
    ['forbidden chars', 'ab:c/d*e/f', ['ab_c', 'd_e']],
    ['single letter + colon is a drive', 'a:b/f', ['b']],
    ['repeated separators', 'a//b\\\\c/f', ['a', 'b', 'c']],
  ];

  it.each(cases)('%s', (_label, input, expected) => {
    const result = sanitizeRelativeDir(input);
    expect(result).toEqual(expected);
    for (const segment of result) expectSafeComponent(segment);
  });

  it('caps the depth', () => {
    const deep = `${Array.from({ length: 100 }, (_, i) => `d${i}`).join('/')}/f`;
    expect(sanitizeRelativeDir(deep)).toHaveLength(MAX_DIR_DEPTH);
  });

  it('caps each folder name at 255 bytes', () => {
    const [segment] = sanitizeRelativeDir(`${'ü'.repeat(300)}/f`);
    expect(bytes(segment ?? '')).toBeLessThanOrEqual(MAX_NAME_BYTES);
  });
});

describe('withCollisionSuffix and splitExtension', () => {
  it.each([
    ['a.txt', 1, 'a (1).txt'],
    ['archive.tar.gz', 2, 'archive.tar (2).gz'],
    ['.bashrc', 3, '.bashrc (3)'],
    ['README', 10, 'README (10)'],
  ])('%s + %i → %s', (name, n, expected) => {
    expect(withCollisionSuffix(name, n)).toBe(expected);
  });

  it('stays within 255 bytes when the name is already at the limit', () => {
    const name = sanitizeDisplayName(`${'€'.repeat(100)}.txt`);
    const suffixed = withCollisionSuffix(name, 9999);
    expect(bytes(suffixed)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(suffixed.endsWith(' (9999).txt')).toBe(true);
  });

  it.each([
    ['a.txt', ['a', '.txt']],
    ['.env', ['.env', '']],
    ['trailing.', ['trailing.', '']],
    ['noext', ['noext', '']],
  ] as const)('splitExtension(%s)', (name, expected) => {
    expect(splitExtension(name)).toEqual(expected);
  });
});
