/**
 * The window's Content-Security-Policy, sent as a header with every app:// response. It may talk to
 * the embedded receiver (HTTP and /ws) and nothing else: no inline script, no eval, no remote code.
 * Styles are files too: React sets `style` props through CSSOM, which style-src does not restrict.
 */
export function buildCsp({ receiverOrigin }: { receiverOrigin: string }): string {
  const match = /^http:\/\/127\.0\.0\.1:(\d{1,5})$/.exec(receiverOrigin);
  const port = match ? Number(match[1]) : NaN;
  // Only ever the loopback receiver: anything else in here would widen what the window can reach.
  if (!match || port < 1 || port > 65535) throw new RangeError(`Not a loopback receiver origin: ${receiverOrigin}`);
  const directives: [string, ...string[]][] = [
    ['default-src', "'none'"],
    ['script-src', "'self'"],
    ['style-src', "'self'"],
    ['img-src', "'self'", 'data:'],
    ['font-src', "'self'"],
    ['connect-src', `http://127.0.0.1:${port}`, `ws://127.0.0.1:${port}`],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
    ['frame-ancestors', "'none'"],
    ['object-src', "'none'"],
  ];
  return directives.map((directive) => directive.join(' ')).join('; ');
}

/** Headers every page and asset of the window is served with. */
export function windowHeaders(receiverOrigin: string): Record<string, string> {
  return {
    'Content-Security-Policy': buildCsp({ receiverOrigin }),
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
  };
}
