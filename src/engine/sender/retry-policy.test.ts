import { Options, RequestError } from 'got';
import { describe, expect, it } from 'vitest';
import { classifyError, createBackoff, type RetryDecision } from './retry-policy';
import { SourceChangedError, StallError, TusRequestError } from './sender-errors';

const http = (status: number, retryAfterMs?: number) =>
  new TusRequestError(`HTTP_${status}`, `HTTP ${status}`, status, retryAfterMs);
const gotError = (code: string) => new RequestError(`request failed: ${code}`, { code }, new Options());
const systemError = (code: string) => Object.assign(new Error(code), { code });

describe('classifyError', () => {
  const retry: RetryDecision = { kind: 'retry', rehead: true };
  const table: [string, unknown, boolean, RetryDecision][] = [
    ['500', http(500), false, retry],
    ['502 while resuming', http(502), true, retry],
    ['503 without Retry-After', http(503), false, retry],
    ['504', http(504), false, retry],
    ['409 offset mismatch: HEAD again', http(409), true, retry],
    ['423 locked', http(423), true, retry],
    ['460 checksum mismatch', http(460), true, retry],
    ['429 with Retry-After', http(429, 7_000), false, { kind: 'pause-target', waitMs: 7_000 }],
    ['429 without Retry-After waits a default', http(429), false, { kind: 'pause-target', waitMs: 5_000 }],
    ['503 with Retry-After', http(503, 2_000), true, { kind: 'pause-target', waitMs: 2_000 }],
    ['503 with Retry-After: 0', http(503, 0), false, { kind: 'pause-target', waitMs: 0 }],
    ['404 when resuming', http(404), true, { kind: 'restart' }],
    ['410 when resuming', http(410), true, { kind: 'restart' }],
    ['404 on creation', http(404), false, { kind: 'final' }],
    ['410 on creation', http(410), false, { kind: 'final' }],
    ['400', http(400), true, { kind: 'final' }],
    ['401', http(401), false, { kind: 'final' }],
    ['403', http(403), false, { kind: 'final' }],
    ['412', http(412), false, { kind: 'final' }],
    ['413', http(413), false, { kind: 'final' }],
    ['415', http(415), false, { kind: 'final' }],
    [
      'protocol error with no status (bad offset)',
      new TusRequestError('BAD_OFFSET', 'bad offset', undefined, undefined),
      true,
      retry,
    ],
    ['stall', new StallError(30_000), true, retry],
    ['source changed', new SourceChangedError('/tmp/a'), true, { kind: 'restart' }],
    ['got ECONNREFUSED', gotError('ECONNREFUSED'), false, { kind: 'offline' }],
    ['got ENOTFOUND', gotError('ENOTFOUND'), false, { kind: 'offline' }],
    ['got EAI_AGAIN', gotError('EAI_AGAIN'), false, { kind: 'offline' }],
    ['got EHOSTUNREACH', gotError('EHOSTUNREACH'), true, { kind: 'offline' }],
    ['got ENETUNREACH', gotError('ENETUNREACH'), true, { kind: 'offline' }],
    ['got ECONNRESET', gotError('ECONNRESET'), true, retry],
    ['got EPIPE', gotError('EPIPE'), true, retry],
    ['got ETIMEDOUT', gotError('ETIMEDOUT'), true, retry],
    ['got generic request error', gotError('ERR_GOT_REQUEST_ERROR'), true, retry],
    ['bare ECONNREFUSED', systemError('ECONNREFUSED'), false, { kind: 'offline' }],
    ['bare ECONNRESET', systemError('ECONNRESET'), true, retry],
    ['bare EPIPE', systemError('EPIPE'), true, retry],
    ['bare ETIMEDOUT', systemError('ETIMEDOUT'), true, retry],
    ['premature close', systemError('ERR_STREAM_PREMATURE_CLOSE'), true, retry],
    ['disk read error on the source', systemError('EIO'), true, { kind: 'final' }],
    ['a programming error', new TypeError('boom'), true, { kind: 'final' }],
    ['a thrown non-error', 'weird', true, { kind: 'final' }],
  ];

  it.each(table)('%s', (_name, error, resuming, expected) => {
    expect(classifyError(error, resuming, true)).toEqual(expected);
  });

  it('treats every 5xx as retryable and every other 4xx except 409/423/429/460 as final', () => {
    for (let status = 500; status < 600; status++) expect(classifyError(http(status), false, true).kind).toBe('retry');
    const retryable = new Set([409, 423, 429, 460]);
    for (let status = 400; status < 500; status++) {
      if (retryable.has(status)) continue;
      const expected = status === 404 || status === 410 ? 'restart' : 'final';
      expect(classifyError(http(status), true, true).kind, `status ${status}`).toBe(expected);
    }
  });

  // A typo in the host fails after a few tries; a host that answered before and now does not resolve
  // is a laptop that lost its network, and waits offline. EAI_AGAIN waits offline in both cases.
  it.each([
    ['got ENOTFOUND, host never answered', gotError('ENOTFOUND'), false, { kind: 'host-not-found' }],
    ['bare ENOTFOUND, host never answered', systemError('ENOTFOUND'), false, { kind: 'host-not-found' }],
    ['got ENOTFOUND, host answered before', gotError('ENOTFOUND'), true, { kind: 'offline' }],
    ['bare ENOTFOUND, host answered before', systemError('ENOTFOUND'), true, { kind: 'offline' }],
    ['got EAI_AGAIN, host never answered', gotError('EAI_AGAIN'), false, { kind: 'offline' }],
    ['bare EAI_AGAIN, host never answered', systemError('EAI_AGAIN'), false, { kind: 'offline' }],
    ['got EAI_AGAIN, host answered before', gotError('EAI_AGAIN'), true, { kind: 'offline' }],
    ['got ECONNREFUSED, host never answered', gotError('ECONNREFUSED'), false, { kind: 'offline' }],
  ] satisfies [string, unknown, boolean, RetryDecision][])('%s', (_name, error, hostAnswered, expected) => {
    expect(classifyError(error, false, hostAnswered)).toEqual(expected);
  });

  it('treats ENOTFOUND for a job with a stored upload as lost network: that host answered once', () => {
    for (const error of [gotError('ENOTFOUND'), systemError('ENOTFOUND')])
      expect(classifyError(error, true, false)).toEqual({ kind: 'offline' });
  });

  it('decides every other error the same whether or not the host answered before', () => {
    for (const [name, error, resuming, expected] of table) {
      if (name.endsWith('ENOTFOUND')) continue;
      expect(classifyError(error, resuming, false), name).toEqual(expected);
    }
  });
});

describe('createBackoff', () => {
  it('retries the first time at once, then follows 1 s, 3 s, 5 s and doubles, capped', () => {
    const backoff = createBackoff({ random: () => 1 });
    const delays = Array.from({ length: 12 }, () => backoff.next());
    expect(delays).toEqual([0, 1_000, 3_000, 5_000, 10_000, 20_000, 30_000, 30_000, 30_000, 30_000, 30_000, 30_000]);
    expect(backoff.attempts).toBe(12);
  });

  it('is exhausted after maxAttempts', () => {
    const backoff = createBackoff({ maxAttempts: 3, random: () => 0.5 });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([0, 500, 1_500]);
    expect(backoff.next()).toBeUndefined();
    expect(backoff.next()).toBeUndefined();
    expect(backoff.attempts).toBe(3);
  });

  it('uses full jitter: every delay lies in [0, base] and spreads across it', () => {
    const bases = [0, 1_000, 3_000, 5_000, 10_000, 20_000];
    const samples = bases.map(() => [] as number[]);
    for (let run = 0; run < 2_000; run++) {
      const backoff = createBackoff();
      for (const [index] of bases.entries()) samples[index]!.push(backoff.next()!);
    }
    for (const [index, base] of bases.entries()) {
      const values = samples[index]!;
      expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...values)).toBeLessThanOrEqual(base);
      if (base === 0) continue;
      // Full jitter, not "base plus a little": the spread covers most of [0, base].
      expect(Math.min(...values)).toBeLessThan(base * 0.05);
      expect(Math.max(...values)).toBeGreaterThan(base * 0.95);
      const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
      expect(mean).toBeGreaterThan(base * 0.4);
      expect(mean).toBeLessThan(base * 0.6);
    }
  });

  it('starts over after progress: reset makes the next retry immediate again', () => {
    const backoff = createBackoff({ random: () => 1, maxAttempts: 4 });
    backoff.next();
    backoff.next();
    expect(backoff.next()).toBe(3_000);
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([
      0,
      1_000,
      3_000,
      5_000,
      undefined,
    ]);
  });

  it('honours custom delays and cap', () => {
    const backoff = createBackoff({ delays: [0, 100], capMs: 500, random: () => 1 });
    expect(Array.from({ length: 6 }, () => backoff.next())).toEqual([0, 100, 200, 400, 500, 500]);
  });
});
