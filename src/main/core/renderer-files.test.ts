import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mimeTypeOf, rendererFileFor } from './renderer-files';

const root = resolve('/opt/ferry/out/renderer');

describe('renderer files', () => {
  it('maps app URLs to files inside the bundle', () => {
    expect(rendererFileFor(root, 'app://ferry/')).toBe(join(root, 'index.html'));
    expect(rendererFileFor(root, 'app://ferry/index.html?x=1#/settings')).toBe(join(root, 'index.html'));
    expect(rendererFileFor(root, 'app://ferry/assets/index-abc.js')).toBe(join(root, 'assets', 'index-abc.js'));
    expect(rendererFileFor(root, 'app://ferry/assets/a%20b.css')).toBe(join(root, 'assets', 'a b.css'));
  });

  it.each([
    'app://ferry/assets/%2e%2e%2f%2e%2e%2fmain/index.js',
    'app://ferry/..%5cmain%5cindex.js',
    'app://ferry/a%00.js',
    'app://ferry/%E0%A4%A',
    'app://evil/index.html',
    'app://ferry@evil/index.html',
    'file:///opt/ferry/out/renderer/index.html',
    'https://ferry/index.html',
    'nonsense',
  ])('refuses %s', (url) => {
    expect(rendererFileFor(root, url)).toBeUndefined();
  });

  it('dot segments are resolved by the URL parser and stay inside the bundle', () => {
    expect(rendererFileFor(root, 'app://ferry/../main/index.js')).toBe(join(root, 'main', 'index.js'));
    expect(rendererFileFor(root, 'app://ferry/%2e%2e/main/index.js')).toBe(join(root, 'main', 'index.js'));
  });

  it("knows the types of the bundle's files", () => {
    expect(mimeTypeOf('a/index.html')).toBe('text/html; charset=utf-8');
    expect(mimeTypeOf('x.JS')).toBe('text/javascript; charset=utf-8');
    expect(mimeTypeOf('x.css')).toBe('text/css; charset=utf-8');
    expect(mimeTypeOf('x.woff2')).toBe('font/woff2');
    expect(mimeTypeOf('x.unknown')).toBe('application/octet-stream');
  });
});
