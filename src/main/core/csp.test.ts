import { describe, expect, it } from 'vitest';
import { buildCsp, windowHeaders } from './csp';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  );
}

describe('window CSP', () => {
  const csp = directives(buildCsp({ receiverOrigin: 'http://127.0.0.1:41823' }));

  it("denies by default and allows only the app's own files", () => {
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('img-src')).toEqual(["'self'", 'data:']);
    expect(csp.get('font-src')).toEqual(["'self'"]);
    for (const name of ['base-uri', 'form-action', 'frame-ancestors', 'object-src'])
      expect(csp.get(name)).toEqual(["'none'"]);
  });

  it('connects to exactly the receiver, over HTTP and WebSocket', () => {
    expect(csp.get('connect-src')).toEqual(['http://127.0.0.1:41823', 'ws://127.0.0.1:41823']);
  });

  it('never allows inline or eval, and never a wildcard', () => {
    const text = buildCsp({ receiverOrigin: 'http://127.0.0.1:1' });
    expect(text).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it.each([
    'http://127.0.0.1',
    'http://127.0.0.1:0',
    'http://127.0.0.1:70000',
    'http://localhost:4000',
    'https://127.0.0.1:4000',
    'http://127.0.0.1:4000; script-src *',
    'http://192.168.1.2:4000',
  ])('refuses %s as the receiver origin', (origin) => {
    expect(() => buildCsp({ receiverOrigin: origin })).toThrow(RangeError);
  });

  it('window headers carry the CSP and nosniff', () => {
    expect(windowHeaders('http://127.0.0.1:5')).toMatchObject({
      'Content-Security-Policy': buildCsp({ receiverOrigin: 'http://127.0.0.1:5' }),
      'X-Content-Type-Options': 'nosniff',
    });
  });
});
