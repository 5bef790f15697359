/**
 * Calls `onLost` once when this process's parent goes away. `npm run` starts a CLI through `sh -c`,
 * and dash (Debian's sh) exits on the SIGTERM that npm passes on to it instead of handing it further:
 * without this, `npm run serve` stopped with SIGTERM would leave serve running, orphaned, unflushed.
 */
export function watchParent(
  onLost: () => void,
  options: { intervalMs?: number; parentPid?: () => number } = {},
): () => void {
  const parentPid = options.parentPid ?? (() => process.ppid);
  const parent = parentPid();
  const timer = setInterval(() => {
    if (parentPid() === parent) return;
    clearInterval(timer);
    onLost();
  }, options.intervalMs ?? 500);
  timer.unref();
  return () => clearInterval(timer);
}

/** Started by `npm run` (or a script npm runs): the case where a shell stands between npm and us. */
export const startedByNpm = (env: NodeJS.ProcessEnv = process.env): boolean => Boolean(env.npm_lifecycle_event);
