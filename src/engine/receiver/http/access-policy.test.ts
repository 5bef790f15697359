import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createAccessPolicy } from './access-policy';

const policy = createAccessPolicy({
  token: 's3cret',
  allowedHosts: () => new Set(['127.0.0.1:8080', 'localhost:8080']),
  allowedOrigins: () => new Set(['http://127.0.0.1:8080', 'http://app.example']),
});
const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const url = (query = '') => new URL(`http://x/files/${query}`);

describe('access policy', () => {
  it.each([
    ['127.0.0.1:8080', true],
    ['LOCALHOST:8080', true],
    ['evil.example', false],
    ['127.0.0.1.evil.example:8080', false],
    ['127.0.0.1:8081', false],
    ['', false],
    [undefined, false],
    ['x'.repeat(10_000), false],
  ])('Host %j allowed: %s', (host, allowed) => {
    expect(policy.hostAllowed(host as string | undefined)).toBe(allowed);
  });

  it('accepts the token from a bearer header, the query or a WebSocket protocol entry', () => {
    expect(policy.authorized(request({ authorization: 'Bearer s3cret' }), url())).toBe(true);
    expect(policy.authorized(request({}), url('?token=s3cret'))).toBe(true);
    expect(policy.authorized(request({ 'sec-websocket-protocol': 'ferry.v1, token.s3cret' }), url())).toBe(true);
  });

  it('refuses a missing, wrong or differently sized token', () => {
    expect(policy.authorized(request({}), url())).toBe(false);
    expect(policy.authorized(request({ authorization: 'Bearer s3cres' }), url())).toBe(false);
    expect(policy.authorized(request({ authorization: 'Bearer s3cret-and-more' }), url())).toBe(false);
    expect(policy.authorized(request({ authorization: 'Basic czNjcmV0' }), url())).toBe(false);
  });

  it('lets everything through when auth is explicitly off', () => {
    const open = createAccessPolicy({ token: null, allowedHosts: () => new Set(), allowedOrigins: () => new Set() });
    expect(open.authorized(request({}), url())).toBe(true);
  });

  it('echoes only allowed origins, never *, and exposes the tus headers', () => {
    const headers = policy.corsHeaders('http://app.example', false);
    expect(headers['Access-Control-Allow-Origin']).toBe('http://app.example');
    expect(headers['Access-Control-Expose-Headers']).toContain('Upload-Offset');
    expect(headers['Access-Control-Expose-Headers']).toContain('Location');
    expect(policy.corsHeaders('http://evil.example', true)).toEqual({});
    expect(policy.corsHeaders('null', true)).toEqual({});
    expect(policy.corsHeaders(undefined, true)).toEqual({});
  });

  it('answers preflight with methods and tus request headers', () => {
    const headers = policy.corsHeaders('http://127.0.0.1:8080', true);
    expect(headers['Access-Control-Allow-Methods']).toContain('PATCH');
    expect(headers['Access-Control-Allow-Headers']).toContain('Upload-Metadata');
  });

  it('maps tokens to scopes: the app token first, then share and guest tokens, never a guest past a wrong token', () => {
    const shared = createAccessPolicy({
      token: 's3cret',
      allowedHosts: () => new Set(),
      allowedOrigins: () => new Set(),
      resolveToken: (given) =>
        given === 'link' ? { kind: 'link' } : given === 'guest' ? { kind: 'guest', guestId: 'g1' } : null,
    });
    expect(shared.scopeOf(request({ authorization: 'Bearer s3cret' }), url())).toEqual({ kind: 'app' });
    expect(shared.scopeOf(request({}), url('?token=link'))).toEqual({ kind: 'link' });
    expect(shared.scopeOf(request({ 'sec-websocket-protocol': 'ferry.v1, token.guest' }), url())).toEqual({
      kind: 'guest',
      guestId: 'g1',
    });
    expect(shared.scopeOf(request({ authorization: 'Bearer other' }), url())).toBeNull();
    expect(shared.scopeOf(request({}), url())).toBeNull();
    expect(shared.authorized(request({ authorization: 'Bearer guest' }), url())).toBe(true);
  });
});
