import { isTerminal } from '../../../shared/progress-event';
import { isSettled } from './finished-records';
import type { UploadInfo } from './types';

/**
 * The record after `patch`. Status writes can arrive late, from an older read (a `paused` persisted
 * after the upload completed): a terminal status never goes back to a running one. `finishedAt` is
 * stamped when the status turns terminal and again when the record is done changing.
 */
export function nextRecord(current: UploadInfo, patch: Partial<Omit<UploadInfo, 'id'>>, now = new Date()): UploadInfo {
  const next: UploadInfo = { ...current, ...patch, id: current.id };
  if (isTerminal(current.status) && !isTerminal(next.status)) next.status = current.status;
  if ((isTerminal(next.status) && !isTerminal(current.status)) || (isSettled(next) && !isSettled(current)))
    next.finishedAt = now.toISOString();
  return next;
}
