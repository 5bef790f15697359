/** The OS side: Electron's powerSaveBlocker in the app, a fake in tests. */
export interface PowerSaveBlocker {
  /** Starts holding 'prevent-app-suspension'; returns its id. */
  start(): number;
  stop(id: number): void;
}

export interface PowerBlockerController {
  /** Feed it on every progress tick: total acknowledged bytes and how many jobs are active. */
  update(sample: { acknowledged: number; active: number }): void;
  readonly holding: boolean;
  /** Releases the hold for good (quit). */
  dispose(): void;
}

/**
 * Keeps the machine awake only while bytes move: held on the first new byte with a job active,
 * released when no job is active or no byte arrived for `idleMs` (a stalled or offline target
 * should not keep a laptop awake all night).
 */
export function createPowerBlockerController(
  blocker: PowerSaveBlocker,
  options: { idleMs?: number } = {},
): PowerBlockerController {
  const idleMs = options.idleMs ?? 2_000;
  let held: number | undefined;
  let last: number | undefined;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  function release() {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = undefined;
    if (held === undefined) return;
    const id = held;
    held = undefined;
    blocker.stop(id);
  }

  return {
    update({ acknowledged, active }) {
      if (disposed) return;
      const moved = last !== undefined && acknowledged > last;
      last = acknowledged;
      if (active <= 0) return release();
      if (!moved) return;
      if (held === undefined) held = blocker.start();
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = setTimeout(release, idleMs);
      idleTimer.unref?.();
    },
    get holding() {
      return held !== undefined;
    },
    dispose() {
      disposed = true;
      release();
    },
  };
}
