/**
 * The window's Content-Security-Policy names the receiver's origin, fixed when the page loaded: once
 * the receiver comes back on another port, the page could no longer reach it. This calls `reload`
 * whenever the receiver changes origin (not for a new folder on the same port). Returns a stop.
 */
export function reloadOnReceiverMove(deps: {
  origin(): string;
  onReceiverChange(listener: () => void): () => void;
  reload(): void;
}): () => void {
  let loadedWith = deps.origin();
  return deps.onReceiverChange(() => {
    const origin = deps.origin();
    if (origin === loadedWith) return;
    loadedWith = origin;
    deps.reload();
  });
}
