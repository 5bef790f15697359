import { bulkEligible, claimBatch, takesBulk, type BulkLimits } from './bulk-batch';
import type { UploadTarget } from '../../shared/upload-job';
import type { BulkClient } from './bulk-client';
import { createBulkReader } from './bulk-reader';
import { runBulk, type BulkMember, type BulkRunContext } from './bulk-run';
import { beginRun, type JobRunContext } from './job-runner';
import type { PoolGate } from './pool-gate';
import type { QueuedJob } from './queued-job';
import type { UploadQueue } from './upload-queue';

export interface BulkSlotsDeps {
  queue: UploadQueue;
  gate: PoolGate;
  /** The pool's running jobs: what is claimed for a batch joins them, so nothing hands it out again. */
  active: Map<string, AbortController>;
  /** Takes the job out of `active` if `controller` still holds it there. */
  release(id: string, controller: AbortController): void;
  runContext: JobRunContext;
  bulk: BulkClient;
  limits: BulkLimits;
}

/** How the pool fills one slot with a batch of small files, and runs it. */
export interface BulkSlots {
  /**
   * `first` with the small files queued after it for the same Ferry receiver, claimed as running;
   * undefined when it goes alone (another server, a big file, nothing to go with it).
   */
  batchFor(first: QueuedJob, controller: AbortController): Promise<BulkMember[] | undefined>;
  run(batch: BulkMember[]): Promise<void>;
  close(): Promise<void>;
}

export function createBulkSlots(deps: BulkSlotsDeps): BulkSlots {
  const { queue, gate, active, limits, runContext } = deps;
  /** Jobs that go the per-file way from now on (one failed in a batch, or its batch could not go). */
  const alone = new Set<string>();
  /** Targets that refused bulk requests though they advertise them. */
  const refused = new Set<string>();
  const reader = createBulkReader();
  const context: BulkRunContext = {
    ...runContext,
    bulk: deps.bulk,
    reader,
    sendAlone: (id) => void alone.add(id),
    refuseBulk: (target) => void refused.add(target.endpoint),
  };

  return {
    async batchFor(first, controller) {
      if (alone.has(first.id) || refused.has(first.target.endpoint)) return undefined;
      // Nothing small queued behind it: it goes alone, without waiting on the target's capabilities.
      const usable = (target: UploadTarget) => (t: UploadTarget) =>
        t.endpoint === target.endpoint && !gate.isOffline(t);
      const peek = (target: UploadTarget) => queue.nextQueued(active, usable(target));
      const second = peek(first.target);
      if (!second || second.size > limits.maxFileBytes || first.size > limits.maxFileBytes) return undefined;
      // The reader thread boots while the target is asked what it takes: both are on a first batch's way.
      reader.warm();
      const caps = await runContext.client.options(first.target).catch(() => undefined);
      const job = queue.get(first.id);
      if (!caps || !job || controller.signal.aborted || !takesBulk(caps) || !bulkEligible(job, limits, caps))
        return undefined;
      const controllers = new Map([[job.id, controller]]);
      const batch = claimBatch(
        job,
        limits,
        (next) => !alone.has(next.id) && bulkEligible(next, limits, caps),
        peek,
        (next) => {
          // Running from here on, so the queue's index passes it over for the next one.
          const claimed = new AbortController();
          active.set(next.id, claimed);
          controllers.set(next.id, claimed);
          beginRun(runContext, next);
        },
      );
      if (batch.length < 2) return undefined;
      beginRun(runContext, job);
      return batch.map((member) => {
        const claimed = controllers.get(member.id)!;
        return {
          job: queue.get(member.id) ?? member,
          signal: claimed.signal,
          release: () => deps.release(member.id, claimed),
        };
      });
    },

    async run(batch) {
      try {
        await runBulk(context, batch);
      } finally {
        for (const member of batch) member.release();
      }
    },

    close: () => reader.close(),
  };
}
