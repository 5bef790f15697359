import type { JobPhase } from '../../../shared/upload-job';

/** What a row says about its file; also the raw `data-state` of the row. */
export const rowStates = [
  'queued',
  'uploading',
  'stalled',
  'retrying',
  'waiting',
  'paused',
  'finalizing',
  'done',
  'failed',
  'canceled',
] as const;
export type RowState = (typeof rowStates)[number];

/** The one action that sits on the row, where the eye is. */
export type PrimaryAction = 'pause' | 'resume' | 'retry' | 'none';

export interface RowModel {
  readonly id: string;
  readonly name: string;
  /** `name` split so that only `head` shrinks: the extension (and a few letters before it) stay. */
  readonly nameHead: string;
  readonly nameTail: string;
  readonly folder: string;
  readonly folderHead: string;
  readonly folderTail: string;
  readonly size: number;
  /** Bytes the target reports as stored: never above `size`, never below the pool's acknowledged bytes. */
  readonly stored: number;
  /** `stored / size`, 0..1 (1 for an empty file that is done). */
  readonly fraction: number;
  readonly state: RowState;
  readonly phase: JobPhase | undefined;
  /** Only while bytes are moving; 0 otherwise. */
  readonly bytesPerSecond: number;
  readonly etaSeconds: number | null;
  /** When a retrying or stalled file tries again (ms since the epoch), if the pool said. */
  readonly retryAt: number | undefined;
  readonly error: { readonly code: string; readonly message: string } | undefined;
  readonly primary: PrimaryAction;
  readonly canPause: boolean;
  readonly canResume: boolean;
  readonly canRetry: boolean;
  readonly canCancel: boolean;
  readonly finishedAt: number | undefined;
  /** A landed file's sha256, and whether the receiver confirmed it checked the bytes against it. */
  readonly sha256: string | undefined;
  readonly sha256Confirmed: boolean;
}
