import type { UploadJob } from '../../shared/upload-job';
import { sleep } from './settle';
import type { TusClient, TusTarget } from './tus-client';

/**
 * Holds that stop every upload to one target, not one job: a server's "slow down", and a target gone
 * offline. Kept per target (its origin), so one receiver that is down or busy does not stop the others.
 */
export interface PoolGate {
  /** Milliseconds until the target's pause ends; zero or less when there is none. */
  pauseRemaining(target: TusTarget): number;
  /** Holds every transfer to the target for at least `waitMs` (429, 503 + Retry-After). */
  pauseFor(target: TusTarget, waitMs: number): void;
  /** Waits while the target is paused; rejects when `signal` aborts. */
  wait(target: TusTarget, signal: AbortSignal): Promise<void>;
  isOffline(target: TusTarget): boolean;
  /** Probes the job's target until it answers (or the pool closes), then lets its jobs run again. */
  goOffline(job: UploadJob): Promise<void>;
}

export interface PoolGateOptions {
  client: TusClient;
  /** How often an offline target is probed. */
  probeIntervalMs?: number;
  isClosed(): boolean;
  /** Called once an offline target answers again. */
  onBackOnline(): void;
}

/** The key a target's holds live under; parsed once per endpoint, as the pool asks for every queued job. */
function createOriginOf(): (target: TusTarget) => string {
  const origins = new Map<string, string>();
  return (target) => {
    let origin = origins.get(target.endpoint);
    if (origin === undefined) origins.set(target.endpoint, (origin = new URL(target.endpoint).origin));
    return origin;
  };
}

export function createPoolGate(options: PoolGateOptions): PoolGate {
  const originOf = createOriginOf();
  const pausedUntil = new Map<string, number>();
  const offline = new Set<string>();
  const remaining = (target: TusTarget) => (pausedUntil.get(originOf(target)) ?? 0) - Date.now();
  return {
    pauseRemaining: remaining,
    pauseFor(target, waitMs) {
      const origin = originOf(target);
      pausedUntil.set(origin, Math.max(pausedUntil.get(origin) ?? 0, Date.now() + waitMs));
    },
    async wait(target, signal) {
      for (let wait = remaining(target); wait > 0; wait = remaining(target)) await sleep(wait, signal);
      pausedUntil.delete(originOf(target));
    },
    isOffline: (target) => offline.has(originOf(target)),
    async goOffline(job) {
      const origin = originOf(job.target);
      if (offline.has(origin)) return;
      offline.add(origin);
      // Lost connectivity holds the target's jobs rather than failing them; they go on when it answers.
      while (!options.isClosed()) {
        await sleep(options.probeIntervalMs ?? 2_000);
        if (await options.client.ping(job.target)) break;
      }
      offline.delete(origin);
      options.onBackOnline();
    },
  };
}
