/**
 * `scheme://host[:port]` of a URL. Custom schemes (`app://ferry/`) have an opaque `origin` ("null")
 * in WHATWG URL terms, so the parts are compared instead.
 */
export function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    // `app://ferry@evil/` would otherwise read as host "evil" with a harmless-looking prefix.
    if (parsed.username || parsed.password || !parsed.host) return undefined;
    return `${parsed.protocol}//${parsed.host}`.toLowerCase();
  } catch {
    return undefined;
  }
}

/** True only for a frame showing the app's own page: IPC from anything else is refused. */
export function isTrustedSender(frameUrl: string | null | undefined, appOrigins: readonly string[]): boolean {
  if (!frameUrl) return false;
  const origin = originOf(frameUrl);
  if (!origin) return false;
  return appOrigins.some((allowed) => originOf(allowed) === origin);
}
