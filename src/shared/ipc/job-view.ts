import * as z from 'zod';
import { JobPhase, JobStatus } from '../upload-job';

/**
 * One queued file as the window sees it. It carries no path the renderer could send back: actions
 * refer to the job by id, and `folder` is for display only.
 */
export const JobView = z.object({
  id: z.string(),
  name: z.string(),
  /** Display folder: the tree inside a dropped folder, or the source folder. */
  folder: z.string(),
  relativePath: z.string().optional(),
  size: z.number().int().nonnegative(),
  status: JobStatus,
  phase: JobPhase.optional(),
  /** Bytes the target acknowledged as stored. */
  acknowledged: z.number().int().nonnegative(),
  sent: z.number().int().nonnegative(),
  bytesPerSecond: z.number().nonnegative(),
  etaSeconds: z.number().nonnegative().nullable(),
  attempts: z.number().int().nonnegative(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  /** The receiver's upload id when the target is the embedded receiver: its `/ws` events are about it. */
  receiverUploadId: z.string().optional(),
  /** The target's endpoint, for display ("to 127.0.0.1:41823"). */
  endpoint: z.string(),
  /** When the job retries next, in ms since the epoch (phase `retrying`). */
  retryAt: z.number().optional(),
  addedAt: z.number(),
  finishedAt: z.number().optional(),
  /** A landed file's sha256; `sha256Confirmed` when the receiver said it checked the bytes against it. */
  sha256: z.string().optional(),
  sha256Confirmed: z.boolean().optional(),
});
export type JobView = z.infer<typeof JobView>;

/** The fields a view may leave out; a patch names those that went away. */
export const optionalJobFields = [
  'relativePath',
  'phase',
  'error',
  'receiverUploadId',
  'retryAt',
  'finishedAt',
  'sha256',
  'sha256Confirmed',
] as const satisfies readonly (keyof JobView)[];

/**
 * A job the window already has, told by what changed: the fields with new values, and `cleared`, the
 * optional fields its view no longer has. Applied to the window's view it gives the view main has.
 */
export const JobPatch = JobView.partial().extend({
  id: z.string(),
  cleared: z.array(z.enum(optionalJobFields)).optional(),
});
export type JobPatch = z.infer<typeof JobPatch>;

export const OverallView = z.object({
  files: z.number().int().nonnegative(),
  completed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  active: z.number().int().nonnegative(),
  size: z.number().nonnegative(),
  acknowledged: z.number().nonnegative(),
  bytesPerSecond: z.number().nonnegative(),
  etaSeconds: z.number().nonnegative().nullable(),
});
export type OverallView = z.infer<typeof OverallView>;

export const AddSummary = z.object({
  added: z.number().int().nonnegative(),
  /** Names of files already queued for this target (reported, not silently dropped). */
  duplicates: z.array(z.string()),
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
});
export type AddSummary = z.infer<typeof AddSummary>;

export const ReceivedFile = z.object({
  uploadId: z.string(),
  name: z.string(),
  /** Path relative to the receive folder, for display. */
  relativePath: z.string(),
  size: z.number().int().nonnegative(),
  /** Who sent it: this app, a browser, or an address. */
  from: z.string(),
  source: z.enum(['tus', 'multipart']),
  finishedAt: z.number(),
  sha256: z.string().optional(),
});
export type ReceivedFile = z.infer<typeof ReceivedFile>;
