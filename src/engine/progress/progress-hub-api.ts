import type { ProgressEvent, UploadSource, UploadStatus } from '../../shared/progress-event';
import type { TransitionDetail } from './progress-entry';

// What the progress hub offers its callers (progress-hub.ts makes one).

export interface ProgressHubOptions {
  /** Most events per second per upload for offset updates; status changes are never delayed. */
  maxHz?: number;
  /** Wall clock in epoch milliseconds; it stamps events and drives speed. */
  now?: () => number;
  /** How long finished uploads stay in `snapshot()` and `get()`. */
  retainTerminalMs?: number;
  /** Called for every accepted status change, before subscribers see it. */
  onTransition?: (uploadId: string, status: UploadStatus, event: ProgressEvent) => void;
  /** While running with no new bytes, re-emit this often so speed visibly decays; Infinity turns it off. */
  idleRefreshMs?: number;
  /** Receives errors thrown by subscribers or by `onTransition`; they never reach the hub's caller. */
  onListenerError?: (error: unknown, event: ProgressEvent) => void;
}

export interface ProgressRegistration {
  uploadId: string;
  source: UploadSource;
  filename: string;
  length: number | null;
  offset?: number;
  status?: UploadStatus;
  context?: Record<string, unknown>;
}

export interface ProgressRestart extends ProgressRegistration {
  /** Why it starts over, on the restart event. */
  message?: string;
  errorCode?: string;
}

export interface ProgressHub {
  register(init: ProgressRegistration): void;
  /**
   * Starts an upload the hub knows over as a new attempt (a new upload of the same file, or another
   * run of a finished one): a `created` event with `context.attempt` one higher, at the given offset
   * and length. Only here may the offset go down or events follow a terminal one; seq keeps counting.
   * For an upload the hub does not know, it is `register`.
   */
  restart(init: ProgressRestart): void;
  advance(uploadId: string, offset: number): void;
  /**
   * The receiver already holds `offset` bytes, stored before this run (a resume learned by HEAD): the
   * offset moves as with `advance`, but the speed counts only bytes that arrive from here on.
   */
  resumeAt(uploadId: string, offset: number): void;
  /**
   * A sender's bytes that have left for the target, ahead of what it stored: they drive the speed
   * and ETA between the receiver's answers, while the offset still moves only with stored bytes.
   */
  sent(uploadId: string, total: number): void;
  setLength(uploadId: string, length: number): void;
  /**
   * `detail.offset`: the stored bytes as of this change, as if `advance` had come first, but in the
   * one status event (a file that landed whole needs no event for its last bytes before its completion).
   */
  transition(uploadId: string, status: UploadStatus, detail?: TransitionDetail): boolean;
  get(uploadId: string): ProgressEvent | undefined;
  snapshot(): ProgressEvent[];
  subscribe(listener: (event: ProgressEvent) => void): () => void;
  forget(uploadId: string): void;
  close(): void;
}
