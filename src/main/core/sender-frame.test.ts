import { describe, expect, it } from 'vitest';
import { isTrustedSender, originOf } from './sender-frame';

const app = ['app://ferry'];

describe('sender frame check', () => {
  it("accepts the app's own pages", () => {
    expect(isTrustedSender('app://ferry/index.html', app)).toBe(true);
    expect(isTrustedSender('app://ferry/index.html#/settings', app)).toBe(true);
    expect(isTrustedSender('APP://FERRY/', app)).toBe(true);
    expect(isTrustedSender('http://localhost:5173/', ['http://localhost:5173'])).toBe(true);
    expect(isTrustedSender('http://127.0.0.1:4100/index.html', ['app://ferry', 'http://127.0.0.1:4100/'])).toBe(true);
  });

  it.each([
    [null],
    [undefined],
    [''],
    ['about:blank'],
    ['file:///home/ann/evil.html'],
    ['data:text/html,<script>alert(1)</script>'],
    ['javascript:alert(1)'],
    ['https://ferry.example.com/'],
    ['app://ferry.evil/index.html'],
    ['app://evil/index.html'],
    ['app://ferry@evil/index.html'],
    ['app://user:pass@ferry/index.html'],
    ['http://localhost:5174/'],
    ['http://127.0.0.1:41823/'],
    ['not a url'],
  ])('refuses %s', (url) => {
    expect(isTrustedSender(url, [...app, 'http://localhost:5173'])).toBe(false);
  });

  it('refuses everything when no origin is allowed', () => {
    expect(isTrustedSender('app://ferry/index.html', [])).toBe(false);
  });

  it('gives no origin for URLs without a host', () => {
    expect(originOf('about:blank')).toBeUndefined();
    expect(originOf('app://ferry/x')).toBe('app://ferry');
  });
});
