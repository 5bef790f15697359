import type { UploadJob } from '../../shared/upload-job';
import { sleep } from './settle';
import type { TusClient } from './tus-client';

/** Holds that stop the whole pool, not one job: a server's "slow down", and a target gone offline. */
export interface PoolGate {
  /** Milliseconds until a pool-wide pause ends; zero or less when there is none. */
  pauseRemaining(): number;
  /** Holds every transfer for at least `waitMs` (429, 503 + Retry-After). */
  pauseFor(waitMs: number): void;
  /** Waits while the pool is paused; rejects when `signal` aborts. */
  wait(signal: AbortSignal): Promise<void>;
  isOffline(): boolean;
  /** Probes the job's target until it answers (or the pool closes), then reopens the pool. */
  goOffline(job: UploadJob): Promise<void>;
}

export interface PoolGateOptions {
  client: TusClient;
  /** How often an offline target is probed. */
  probeIntervalMs?: number;
  isClosed(): boolean;
  /** Called once the target answers again. */
  onBackOnline(): void;
}

export function createPoolGate(options: PoolGateOptions): PoolGate {
  let pausedUntil = 0;
  let offline = false;
  return {
    pauseRemaining: () => pausedUntil - Date.now(),
    pauseFor(waitMs) {
      pausedUntil = Math.max(pausedUntil, Date.now() + waitMs);
    },
    async wait(signal) {
      for (let wait = pausedUntil - Date.now(); wait > 0; wait = pausedUntil - Date.now()) await sleep(wait, signal);
    },
    isOffline: () => offline,
    async goOffline(job) {
      if (offline) return;
      offline = true;
      // Lost connectivity pauses the queue rather than failing it; it resumes when the target answers.
      while (!options.isClosed()) {
        await sleep(options.probeIntervalMs ?? 2_000);
        if (await options.client.ping(job.target)) break;
      }
      offline = false;
      options.onBackOnline();
    },
  };
}
