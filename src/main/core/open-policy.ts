/**
 * Extensions the OS would run rather than show. Opening one received from another device would
 * execute it with a click, so the window offers "Show in folder" for these instead.
 */
const runnable = new Set([
  'exe',
  'com',
  'bat',
  'cmd',
  'msi',
  'msp',
  'scr',
  'pif',
  'cpl',
  'ps1',
  'psm1',
  'vbs',
  'vbe',
  'js',
  'jse',
  'wsf',
  'wsh',
  'hta',
  'lnk',
  'url',
  'reg',
  'jar',
  'app',
  'command',
  'tool',
  'pkg',
  'workflow',
  'terminal',
  'sh',
  'bash',
  'zsh',
  'csh',
  'run',
  'bin',
  'desktop',
  'appimage',
  'deb',
  'rpm',
  'py',
  'pl',
  'rb',
  'library-ms',
  'settingcontent-ms',
  'application',
  'appref-ms',
  'xbap',
  'gadget',
  'inf',
  'scf',
  'msc',
]);

export function isSafeToOpen(name: string): boolean {
  const trimmed = name.replace(/[\s.]+$/, '').toLowerCase();
  const dot = trimmed.lastIndexOf('.');
  return dot < 0 || !runnable.has(trimmed.slice(dot + 1));
}
