import * as z from 'zod';

/** The one upload state machine: created → running ⇄ paused → completed | failed | terminated | expired. */
export const uploadStatuses = ['created', 'running', 'paused', 'completed', 'failed', 'terminated', 'expired'] as const;
export const UploadStatus = z.enum(uploadStatuses);
export type UploadStatus = z.infer<typeof UploadStatus>;

export const terminalStatuses: ReadonlySet<UploadStatus> = new Set(['completed', 'failed', 'terminated', 'expired']);

const allowedTransitions: Record<UploadStatus, readonly UploadStatus[]> = {
  created: ['running', 'paused', 'completed', 'failed', 'terminated', 'expired'],
  running: ['paused', 'completed', 'failed', 'terminated', 'expired'],
  paused: ['running', 'completed', 'failed', 'terminated', 'expired'],
  completed: [],
  failed: [],
  terminated: [],
  expired: [],
};

export function isTerminal(status: UploadStatus): boolean {
  return terminalStatuses.has(status);
}

export function canTransition(from: UploadStatus, to: UploadStatus): boolean {
  return from === to ? !isTerminal(from) : allowedTransitions[from].includes(to);
}

export const UploadSource = z.enum(['tus', 'multipart']);
export type UploadSource = z.infer<typeof UploadSource>;

export const ProgressContext = z
  .object({
    filename: z.string(),
    source: UploadSource,
  })
  .catchall(z.unknown());
export type ProgressContext = z.infer<typeof ProgressContext>;

/** Every progress message, on /ws, over IPC and in `ferry send --json`, has this shape. */
export const ProgressEvent = z.object({
  type: z.literal('progress'),
  uploadId: z.string().min(1),
  seq: z.number().int().nonnegative(),
  status: UploadStatus,
  /** Bytes safely stored, never bytes merely received. */
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative().nullable(),
  progress: z.number().min(0).max(1).nullable(),
  bytesPerSecond: z.number().nonnegative(),
  etaSeconds: z.number().nonnegative().nullable(),
  message: z.string().optional(),
  errorCode: z.string().optional(),
  timestamp: z.string().datetime(),
  context: ProgressContext,
});
export type ProgressEvent = z.infer<typeof ProgressEvent>;
