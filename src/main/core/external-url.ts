/** Hosts the window may open in the browser: the project's pages. Nothing else leaves through shell. */
export const defaultExternalHosts: readonly string[] = ['tus.io', 'github.com'];

/** http/https to a listed host only, with no credentials or unusual port (`https://github.com@evil/`). */
export function isAllowedExternalUrl(url: string, hosts: readonly string[] = defaultExternalHosts): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  if (parsed.username || parsed.password || parsed.port) return false;
  return hosts.includes(parsed.hostname.toLowerCase());
}
