// tus uploads from the browser: resumable across reloads (fingerprints and URLs in localStorage),
// retrying by itself after a dropped connection, a few files at a time.
import { Upload, type DetailedError, type PreviousUpload } from 'tus-js-client';
import type { PickedFile } from './dropped-entries';
import type { Messages } from './i18n';
import type { Row } from './model';

export interface UploaderDeps {
  token: string;
  t: Messages;
  chunkSize: number;
  /** Files sent at once. */
  concurrency: number;
  /** A row's state or numbers changed. */
  changed(row: Row): void;
  /** The receiver named the upload: /ws events for this id belong to this row. */
  identified(row: Row, uploadId: string): void;
  /** The receiver refused the token: sharing is over. */
  accessEnded(): void;
}

export interface Uploader {
  /** `resumeId`: an upload of this device's, known from the receiver, that this file continues. */
  add(picked: PickedFile, row: Row, resumeId?: string): void;
  retry(key: string): void;
  /** Back online: continue whatever paused because the network went away. */
  resumeOffline(): void;
  markOffline(): void;
}

interface Item {
  picked: PickedFile;
  row: Row;
  upload?: Upload;
  running: boolean;
  resumeId?: string;
}

/** Files this small go in the creation request; bigger ones get their URL first, so a reload can resume them at once. */
const inlineLimit = 1024 * 1024;

// Long enough to ride out a phone switching networks or a Wi-Fi drop of a minute or so.
const retryDelays = [0, 1000, 3000, 5000, 10_000, 15_000, 30_000, 30_000, 60_000, 60_000];

const statusOf = (error: Error | DetailedError) =>
  'originalResponse' in error ? (error.originalResponse?.getStatus() ?? 0) : 0;

/** The same file picked again after a reload finds its upload again: path, size and time, per receiver. */
const fingerprintOf =
  ({ file, path }: PickedFile) =>
  (_file: unknown, options: { endpoint?: string | null }): Promise<string> =>
    Promise.resolve(['ferry', path, file.type, file.size, file.lastModified, options.endpoint].join('|'));

const newest = (uploads: PreviousUpload[]) =>
  [...uploads].sort((a, b) => Date.parse(String(b.creationTime)) - Date.parse(String(a.creationTime)))[0];

export function createUploader(deps: UploaderDeps): Uploader {
  const items = new Map<string, Item>();
  const queue: Item[] = [];
  let running = 0;

  function set(item: Item, state: Row['state'], error?: string): void {
    item.row.state = state;
    item.row.error = error;
    deps.changed(item.row);
  }

  function finish(item: Item): void {
    if (!item.running) return;
    item.running = false;
    running -= 1;
    pump();
  }

  function failureText(status: number): string {
    if (status === 413) return deps.t.errorTooLarge;
    if (status === 507) return deps.t.errorNoSpace;
    return deps.t.errorOther;
  }

  function create(item: Item): Upload {
    const { file, path } = item.picked;
    return new Upload(file, {
      endpoint: `${location.origin}/files/`,
      headers: { Authorization: `Bearer ${deps.token}` },
      metadata: {
        filename: file.name,
        filetype: file.type || 'application/octet-stream',
        // From a folder (its button or a drop): the receiver rebuilds the folder from this.
        ...(path !== file.name ? { relativePath: path } : {}),
      },
      chunkSize: deps.chunkSize,
      retryDelays,
      uploadDataDuringCreation: file.size <= inlineLimit,
      ...(item.resumeId ? { uploadUrl: `${location.origin}/files/${encodeURIComponent(item.resumeId)}` } : {}),
      removeFingerprintOnSuccess: true,
      fingerprint: fingerprintOf(item.picked),
      onShouldRetry(error) {
        const status = statusOf(error);
        const retry =
          navigator.onLine && (status === 0 || status >= 500 || status === 409 || status === 423 || status === 429);
        if (retry) set(item, 'retrying');
        return retry;
      },
      onProgress() {
        // Bytes still leaving the buffer after the network went away do not make it "uploading" again.
        if (
          navigator.onLine &&
          item.row.state !== 'uploading' &&
          item.row.state !== 'checking' &&
          item.row.state !== 'done'
        )
          set(item, 'uploading');
      },
      onUploadUrlAvailable() {
        const url = item.upload?.url;
        if (url) deps.identified(item.row, url.slice(url.lastIndexOf('/') + 1));
      },
      onSuccess() {
        item.row.sent = item.row.size;
        set(item, 'done');
        finish(item);
      },
      onError(error) {
        const status = statusOf(error);
        finish(item);
        if (status === 401) return deps.accessEnded();
        if (!navigator.onLine || status === 0)
          return set(
            item,
            navigator.onLine ? 'failed' : 'paused-offline',
            navigator.onLine ? deps.t.errorOther : undefined,
          );
        set(item, 'failed', failureText(status));
      },
    });
  }

  function begin(item: Item): void {
    item.running = true;
    running += 1;
    set(item, 'uploading');
    const upload = item.upload ?? create(item);
    if (item.upload) return upload.start();
    item.upload = upload;
    // The receiver's own list named this file's upload: continue that one (HEAD, then PATCH).
    if (item.resumeId) return upload.start();
    upload
      .findPreviousUploads()
      .then((previous) => {
        const last = newest(previous);
        if (last) upload.resumeFromPreviousUpload(last);
      })
      .catch(() => undefined)
      .finally(() => upload.start());
  }

  function pump(): void {
    while (running < deps.concurrency && queue.length > 0) {
      const item = queue.shift()!;
      if (!item.running && item.row.state === 'queued') begin(item);
    }
  }

  function requeue(item: Item): void {
    if (item.running || item.row.state === 'done') return;
    set(item, 'queued');
    queue.push(item);
  }

  return {
    add(picked, row, resumeId) {
      const known = items.get(row.key);
      if (known) return this.retry(row.key);
      const item: Item = { picked, row, running: false, ...(resumeId ? { resumeId } : {}) };
      items.set(row.key, item);
      requeue(item);
      pump();
    },
    retry(key) {
      const item = items.get(key);
      if (!item || item.running || item.row.state === 'done') return;
      requeue(item);
      pump();
    },
    resumeOffline() {
      for (const item of items.values()) if (item.row.state === 'paused-offline') requeue(item);
      pump();
    },
    markOffline() {
      for (const item of items.values()) if (item.running || item.row.state === 'queued') set(item, 'paused-offline');
    },
  };
}
