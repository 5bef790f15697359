import type { ReceivedFile } from '../../../shared/ipc/job-view';
import type { ProgressEvent, UploadStatus } from '../../../shared/progress-event';
import type { ReceiverEvents } from './receiver-events';
import { splitFileName } from './split-text';

/** Who sent an upload, before translation. */
export type Sender =
  | { kind: 'app' }
  | { kind: 'browser'; browser: string; os: string; address?: string }
  | { kind: 'text'; text: string }
  | { kind: 'unknown' };

export interface ArrivingRow {
  readonly kind: 'arriving';
  readonly key: string;
  readonly uploadId: string;
  readonly name: string;
  readonly nameHead: string;
  readonly nameTail: string;
  readonly sender: Sender;
  readonly size: number | null;
  readonly stored: number;
  readonly fraction: number | null;
  readonly status: UploadStatus;
  readonly bytesPerSecond: number;
}

export interface FinishedRow {
  readonly kind: 'finished';
  readonly key: string;
  readonly file: ReceivedFile;
  readonly nameHead: string;
  readonly nameTail: string;
  readonly sender: Sender;
}

export type ReceivedRow = ArrivingRow | FinishedRow;

const browsers: ReadonlyArray<[RegExp, string]> = [
  [/Edg\//, 'Edge'],
  [/OPR\//, 'Opera'],
  [/Firefox\//, 'Firefox'],
  [/Chrome\//, 'Chrome'],
  [/Safari\//, 'Safari'],
];
const systems: ReadonlyArray<[RegExp, string]> = [
  [/Android/, 'Android'],
  [/iPhone|iPad|iOS/, 'iOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

/** A readable sender from what the receiver knows: this app's own uploads, a browser, a client name or an address. */
export function senderOf(context: Record<string, unknown> | undefined, fromThisApp: boolean): Sender {
  if (fromThisApp) return { kind: 'app' };
  const agent = typeof context?.userAgent === 'string' ? context.userAgent : '';
  const address = typeof context?.remoteAddress === 'string' ? context.remoteAddress : '';
  // Ferry on this machine is this app; Ferry on another device is another sender.
  if (/^Ferry\//.test(agent) && (address === '' || /^(127\.|::1$|::ffff:127\.)/.test(address))) return { kind: 'app' };
  const browser = browsers.find(([pattern]) => pattern.test(agent))?.[1];
  const os = systems.find(([pattern]) => pattern.test(agent))?.[1];
  if (browser && os && /Mozilla\//.test(agent))
    return address ? { kind: 'browser', browser, os, address } : { kind: 'browser', browser, os };
  const client = agent.split(/[\s(]/)[0] ?? '';
  const text = [client, address].filter((part) => part.length > 0).join(' · ');
  return text ? { kind: 'text', text } : { kind: 'unknown' };
}

/** The sender of a finished file, as main's index recorded it: "This app", or "user agent · address". */
export function senderOfFinished(file: ReceivedFile, ownUploadIds: ReadonlySet<string>): Sender {
  if (ownUploadIds.has(file.uploadId) || /^this app$/i.test(file.from)) return { kind: 'app' };
  const parts = file.from.split(' · ');
  const address = parts.length > 1 ? parts.pop()! : '';
  const agent = parts.join(' · ');
  const parsed = senderOf({ userAgent: agent, remoteAddress: address }, false);
  if (parsed.kind === 'browser' || parsed.kind === 'app') return parsed;
  return file.from && file.from !== 'Unknown' ? { kind: 'text', text: file.from } : { kind: 'unknown' };
}

const arrivingStatuses: ReadonlySet<UploadStatus> = new Set(['created', 'running', 'paused']);

function arrivingRow(event: ProgressEvent, ownUploadIds: ReadonlySet<string>): ArrivingRow {
  const name = splitFileName(event.context.filename);
  const stored = event.length === null ? event.offset : Math.min(event.offset, event.length);
  return {
    kind: 'arriving',
    key: `live:${event.uploadId}`,
    uploadId: event.uploadId,
    name: event.context.filename,
    nameHead: name.head,
    nameTail: name.tail,
    sender: senderOf(event.context, ownUploadIds.has(event.uploadId)),
    size: event.length,
    stored,
    fraction: event.length ? stored / event.length : event.length === 0 ? 1 : null,
    status: event.status,
    bytesPerSecond: event.status === 'running' ? event.bytesPerSecond : 0,
  };
}

/**
 * Everything the Received view lists, newest first: uploads still arriving (from /ws), then the
 * files the receiver finished (from `received:list`). Parts of a parallel upload are not files.
 */
export function receivedRows(
  events: ReceiverEvents,
  files: readonly ReceivedFile[],
  ownUploadIds: ReadonlySet<string>,
): ReceivedRow[] {
  const finishedIds = new Set(files.map((file) => file.uploadId));
  const arriving = [...events.values()]
    .filter(
      (event) =>
        arrivingStatuses.has(event.status) && !finishedIds.has(event.uploadId) && event.context.concat !== 'partial',
    )
    .map((event) => arrivingRow(event, ownUploadIds))
    // Newest first by first appearance (the map keeps insertion order), never by the latest event:
    // rows must not trade places every time one of them reports progress. Other devices come
    // before this app's own uploads, which the Queue shows already.
    .reverse()
    .sort((a, b) => Number(a.sender.kind === 'app') - Number(b.sender.kind === 'app'));
  const finished = [...files]
    .sort((a, b) => b.finishedAt - a.finishedAt)
    .map((file): FinishedRow => {
      const name = splitFileName(file.name);
      return {
        kind: 'finished',
        key: `file:${file.uploadId}`,
        file,
        nameHead: name.head,
        nameTail: name.tail,
        sender: senderOfFinished(file, ownUploadIds),
      };
    });
  return [...arriving, ...finished];
}
