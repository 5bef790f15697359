import { describe, expect, it } from 'vitest';
import { isSafeToOpen } from './open-policy';

describe('open policy', () => {
  it.each(['photo.jpg', 'notes.txt', 'report.pdf', 'archive.zip', 'README', 'movie.mkv'])('opens %s', (name) =>
    expect(isSafeToOpen(name)).toBe(true),
  );
  it.each([
    'setup.exe',
    'SETUP.EXE',
    'run.bat',
    'x.ps1',
    'link.lnk',
    'a.js',
    'evil.exe.',
    'evil.exe  ',
    'tool.AppImage',
    'install.sh',
    'script.command',
    'Some.app',
  ])('does not open %s', (name) => expect(isSafeToOpen(name)).toBe(false));
});
