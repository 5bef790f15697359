import type { JobPatch, JobView } from '../../shared/ipc/job-view';
import type { UploadJob } from '../../shared/upload-job';
import { createJobViewer, type JobViewDeps } from './job-view';

/** What to tell the window about one job. `view` is the job's whole view either way. */
export type JobNews =
  | { kind: 'added'; view: JobView }
  | { kind: 'patched'; view: JobView; patch: JobPatch }
  | { kind: 'removed'; id: string };

/**
 * The jobs as the window was last told of them: by the `uploads:list` reply, then by pushes. A push
 * tells a job the window has only by what changed, so both must go through here.
 */
export interface WindowJobs {
  /** Whole views for `uploads:list`; from now on the window is told changes against these. */
  snapshot(jobs: readonly UploadJob[]): JobView[];
  /** What the window has not heard about this job (undefined: nothing), counted as told. */
  tell(id: string, job: UploadJob | undefined): JobNews | undefined;
  /** Ids of every job the window has. */
  known(): Iterable<string>;
}

type Fields = Record<string, unknown>;

/** Views are flat records of primitives, and an error pair. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const x = a as { code?: unknown; message?: unknown };
  const y = b as { code?: unknown; message?: unknown };
  return x.code === y.code && x.message === y.message;
}

/** What changed from `before` to `after`, or undefined when nothing did. */
export function patchBetween(before: JobView, after: JobView): JobPatch | undefined {
  const from = before as Fields;
  const to = after as Fields;
  let patch: Fields | undefined;
  for (const key in to) if (!sameValue(from[key], to[key])) (patch ??= { id: after.id })[key] = to[key];
  let cleared: string[] | undefined;
  for (const key in from) if (!(key in to)) (cleared ??= []).push(key);
  if (cleared) (patch ??= { id: after.id }).cleared = cleared;
  return patch as JobPatch | undefined;
}

export function createWindowJobs(toView: (job: UploadJob) => JobView): WindowJobs {
  const told = new Map<string, JobView>();
  return {
    snapshot(jobs) {
      told.clear();
      return jobs.map((job) => {
        const view = toView(job);
        told.set(job.id, view);
        return view;
      });
    },
    tell(id, job) {
      const before = told.get(id);
      if (!job) {
        if (!before) return undefined;
        told.delete(id);
        return { kind: 'removed', id };
      }
      const view = toView(job);
      told.set(id, view);
      if (!before) return { kind: 'added', view };
      const patch = patchBetween(before, view);
      return patch ? { kind: 'patched', view, patch } : undefined;
    },
    known: () => told.keys(),
  };
}

/**
 * The jobs as one core's window has them. The core owns it (`FerryCore.windowJobs`): the list handler
 * and the pushes must agree on what the window has, and they are made apart (the pushes again for
 * every new window). `embeddedEndpoint` throws while the receiver is not running.
 */
export function createCoreWindowJobs(deps: { hub: JobViewDeps['hub']; embeddedEndpoint: () => string }): WindowJobs {
  return createWindowJobs(
    createJobViewer({
      hub: deps.hub,
      embeddedEndpoint: () => {
        try {
          return deps.embeddedEndpoint();
        } catch {
          return undefined;
        }
      },
    }),
  );
}
