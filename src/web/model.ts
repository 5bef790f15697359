// The page's state as plain data, and the pure rules that turn it into words and numbers.
import type { ProgressEvent } from '../shared/progress-event';
import type { PickedFile } from './dropped-entries';

export type RowState =
  | 'queued'
  | 'waiting'
  | 'uploading'
  | 'checking'
  | 'retrying'
  | 'paused-offline'
  | 'paused'
  | 'done'
  | 'declined'
  | 'failed';

export interface Row {
  /** Stable per file: its path, size and modification time (or `id:<uploadId>` for one known only from the receiver). */
  key: string;
  name: string;
  size: number;
  /** Bytes the receiver has stored, from /ws. */
  sent: number;
  /** Measured by the page from `sent` over time (see rate.ts). */
  bytesPerSecond: number;
  etaSeconds: number | null;
  state: RowState;
  error?: string;
  uploadId?: string;
  /** False for rows known only from the receiver (sent before a reload): choosing the file again continues them. */
  local: boolean;
}

export interface Summary {
  done: number;
  total: number;
  sent: number;
  size: number;
  bytesPerSecond: number;
  etaSeconds: number | null;
  fraction: number;
  /** Rows that need the same file chosen again. */
  orphans: number;
  active: boolean;
}

const activeStates: ReadonlySet<RowState> = new Set(['queued', 'uploading', 'checking', 'retrying']);

export function summarize(rows: Iterable<Row>): Summary {
  let done = 0;
  let total = 0;
  let sent = 0;
  let size = 0;
  let bytesPerSecond = 0;
  let orphans = 0;
  let active = false;
  for (const row of rows) {
    if (row.state === 'declined') continue;
    total += 1;
    size += row.size;
    sent += Math.min(row.sent, row.size);
    if (row.state === 'done') done += 1;
    if (row.state === 'uploading') bytesPerSecond += row.bytesPerSecond;
    if (!row.local && row.state === 'paused') orphans += 1;
    if (activeStates.has(row.state)) active = true;
  }
  const remaining = size - sent;
  return {
    done,
    total,
    sent,
    size,
    bytesPerSecond,
    etaSeconds: bytesPerSecond > 0 && remaining > 0 ? remaining / bytesPerSecond : null,
    fraction: size > 0 ? sent / size : total > 0 && done === total ? 1 : 0,
    orphans,
    active,
  };
}

/** Folds a /ws event into a row: stored bytes, length, and the receiver's word on completion. */
export function applyEvent(row: Row, event: ProgressEvent): void {
  row.sent = Math.max(row.sent, event.offset);
  if (event.length !== null) row.size = event.length;
  if (event.status === 'completed') row.state = 'done';
  else if (event.status === 'failed' || event.status === 'expired' || event.status === 'terminated') {
    row.state = 'failed';
    row.error = event.message;
  } else if (row.state === 'uploading' && event.length !== null && event.offset >= event.length) row.state = 'checking';
}

/** A row for an upload the receiver knows of but this page has no file for (it was sent before a reload). */
export function rowFromEvent(event: ProgressEvent): Row {
  const relative = typeof event.context.relativePath === 'string' ? event.context.relativePath : undefined;
  const row: Row = {
    key: `id:${event.uploadId}`,
    name: relative ?? event.context.filename,
    size: event.length ?? event.offset,
    sent: 0,
    bytesPerSecond: 0,
    etaSeconds: null,
    state: 'paused',
    uploadId: event.uploadId,
    local: false,
  };
  applyEvent(row, event);
  if (row.state !== 'done') row.state = event.status === 'failed' || event.status === 'expired' ? 'failed' : 'paused';
  return row;
}

/** Splits "holiday/clip.final.mov" so the view can shorten the folder and stem but never the extension. */
export function splitName(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf('.');
  const slash = name.lastIndexOf('/');
  if (dot <= slash + 1 || name.length - dot > 10) return { stem: name, ext: '' };
  return { stem: name.slice(0, dot), ext: name.slice(dot) };
}

export const fileKey = ({ file, path }: PickedFile) => [path, file.size, file.lastModified].join('|');
