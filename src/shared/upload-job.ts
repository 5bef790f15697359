import * as z from 'zod';

/** What the user sees for one queued file. Jobs cross IPC and are persisted, so they are plain data. */
export const JobStatus = z.enum(['queued', 'running', 'paused', 'completed', 'failed', 'canceled']);
export type JobStatus = z.infer<typeof JobStatus>;

/** Finer detail while a job runs: a stall is not a failure, and finalizing is not 100 % stored. */
export const JobPhase = z.enum(['uploading', 'stalled', 'retrying', 'waiting', 'offline', 'finalizing']);
export type JobPhase = z.infer<typeof JobPhase>;

export const UploadTarget = z.object({
  endpoint: z.string().url(),
  headers: z.record(z.string(), z.string()).optional(),
});
export type UploadTarget = z.infer<typeof UploadTarget>;

export const PartState = z.object({
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  url: z.string().optional(),
  offset: z.number().int().nonnegative(),
});
export type PartState = z.infer<typeof PartState>;

export const UploadJob = z.object({
  id: z.string(),
  /** Absolute path on this machine; it came from a dialog or a drop, never typed by a page. */
  path: z.string(),
  name: z.string(),
  /** Folder structure to recreate on the receiver (`photos/2024/a.jpg`). */
  relativePath: z.string().optional(),
  size: z.number().int().nonnegative(),
  mtimeMs: z.number(),
  target: UploadTarget,
  status: JobStatus,
  phase: JobPhase.optional(),
  /** Bytes the server acknowledged. */
  acknowledged: z.number().int().nonnegative(),
  /** Bytes handed to the network, acknowledged or not. */
  sent: z.number().int().nonnegative(),
  uploadUrl: z.string().optional(),
  parts: z.array(PartState).optional(),
  attempts: z.number().int().nonnegative(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  /** When a job waiting to retry (phase `retrying` or `stalled`) tries again, in ms since the epoch. */
  retryAt: z.number().optional(),
  /** The whole file's sha256 (hex), once known. */
  sha256: z.string().optional(),
  /**
   * Set when the file landed: true when the receiver's answer named `sha256` as the digest it checked
   * the stored bytes against (Ferry's `X-Ferry-Sha256`); false when `sha256` is only this side's.
   */
  sha256Confirmed: z.boolean().optional(),
  /**
   * The source is still being written (a recording, a log): it is sent as it grows, and its length is
   * declared once it stops growing. `size` is what exists so far.
   */
  growing: z.boolean().optional(),
  addedAt: z.number(),
  finishedAt: z.number().optional(),
});
export type UploadJob = z.infer<typeof UploadJob>;

/** Bytes that have left for the target: `sent` may trail what a HEAD found stored (`acknowledged`). */
export const bytesSent = (job: Pick<UploadJob, 'sent' | 'acknowledged'>): number =>
  Math.max(job.sent, job.acknowledged);

export function fingerprintOf(job: Pick<UploadJob, 'path' | 'size' | 'mtimeMs' | 'target'>): string {
  return JSON.stringify([job.path, job.size, Math.trunc(job.mtimeMs), job.target.endpoint]);
}
