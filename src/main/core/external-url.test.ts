import { describe, expect, it } from 'vitest';
import { isAllowedExternalUrl } from './external-url';

describe('external URL allow-list', () => {
  it.each([
    'https://tus.io/protocols/resumable-upload',
    'http://tus.io/',
    'https://github.com/tus/tus-node-server',
    'https://GITHUB.com/x',
  ])('allows %s', (url) => {
    expect(isAllowedExternalUrl(url)).toBe(true);
  });

  it.each([
    'file:///etc/passwd',
    'javascript:alert(1)',
    'smb://server/share',
    'ms-settings:privacy',
    'ftp://tus.io/',
    'https://evil.example.com/',
    'https://github.com.evil.example.com/',
    'https://api.github.com/',
    'https://github.com@evil.example.com/',
    'https://user:pw@github.com/',
    'https://github.com:8443/',
    'not a url',
    '',
  ])('refuses %s', (url) => {
    expect(isAllowedExternalUrl(url)).toBe(false);
  });

  it('uses the list it is given', () => {
    expect(isAllowedExternalUrl('https://docs.example.org/', ['docs.example.org'])).toBe(true);
    expect(isAllowedExternalUrl('https://github.com/', ['docs.example.org'])).toBe(false);
  });
});
