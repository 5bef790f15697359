import type { FerryError } from '../../errors';

/** What the handler needs of the progress hub. */
export interface MultipartProgress {
  register(init: {
    uploadId: string;
    source: 'multipart';
    filename: string;
    length: number | null;
    offset?: number;
    status?: 'completed';
    context?: Record<string, unknown>;
  }): void;
  advance(uploadId: string, offset: number): void;
  transition(
    uploadId: string,
    status: 'running' | 'completed' | 'failed',
    detail?: { message?: string; errorCode?: string },
  ): boolean;
}

export interface ProgressReporter {
  /**
   * False when the hub refused: nothing more is reported for that upload. `settled`: the file has
   * arrived already (a bulk request's), so it is registered with its length and not set running;
   * with `status: 'completed'` it has landed too, and that one event is all the hub sends of it.
   */
  register(
    uploadId: string,
    filename: string,
    context: Record<string, unknown>,
    settled?: { length: number; offset: number; status?: 'completed' },
  ): boolean;
  advance(uploadId: string, offset: number): void;
  finish(uploadId: string, status: 'completed' | 'failed', error?: FerryError): void;
}

/** Progress is best effort: a hub that throws must never break or leak an upload. */
export function createProgressReporter(progress: MultipartProgress | undefined): ProgressReporter {
  return {
    register(uploadId, filename, context, settled) {
      try {
        progress?.register({ uploadId, source: 'multipart', filename, length: null, context, ...settled });
        if (!settled) progress?.transition(uploadId, 'running');
        return true;
      } catch {
        return false;
      }
    },
    advance(uploadId, offset) {
      try {
        progress?.advance(uploadId, offset);
      } catch {
        /* best effort */
      }
    },
    finish(uploadId, status, error) {
      try {
        progress?.transition(uploadId, status, error && { message: error.message, errorCode: error.code });
      } catch {
        /* best effort */
      }
    },
  };
}
