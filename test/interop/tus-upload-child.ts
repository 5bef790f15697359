// A tus-js-client process the resume test can SIGKILL. Run as
//   node --import tsx test/interop/tus-upload-child.ts '<json ChildConfig>'
// It prints one JSON record per line on stdout and exits 0 once the upload succeeds.
import { createReadStream } from 'node:fs';
import * as tus from 'tus-js-client';
import { Upload } from 'tus-js-client';
import { pacedFileReader } from './paced-file-reader';
import type { UploadOptions } from './fixtures';

export interface ChildConfig {
  file: string;
  endpoint: string;
  token: string;
  storage: string;
  filename: string;
  chunkSize: number | null;
  /** Omit for full speed. */
  bytesPerSecond?: number;
}

export type ChildRecord =
  | { type: 'fresh' }
  | { type: 'resuming'; url: string | null }
  | { type: 'request'; method: string; url: string; offset: string | null }
  | { type: 'response'; method: string; status: number; offset: string | null }
  | { type: 'success'; url: string | null }
  | { type: 'error'; message: string };

// The Node build exports FileUrlStorage at runtime; its bundled typings leave it out.
type UrlStorage = NonNullable<UploadOptions['urlStorage']>;
const { FileUrlStorage } = tus as unknown as { FileUrlStorage: new (path: string) => UrlStorage };

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;

function emit(record: ChildRecord, then?: () => void): void {
  process.stdout.write(`${JSON.stringify(record)}\n`, then);
}

const upload = new Upload(createReadStream(config.file), {
  endpoint: config.endpoint,
  headers: { Authorization: `Bearer ${config.token}` },
  metadata: { filename: config.filename },
  chunkSize: config.chunkSize ?? Infinity,
  urlStorage: new FileUrlStorage(config.storage),
  // Strict: the resumed run must succeed on its first attempt, not after a retry hides a refusal.
  retryDelays: null,
  ...(config.bytesPerSecond ? { fileReader: pacedFileReader({ bytesPerSecond: config.bytesPerSecond }) } : {}),
  onBeforeRequest: (req) =>
    emit({
      type: 'request',
      method: req.getMethod(),
      url: req.getURL(),
      offset: req.getHeader('Upload-Offset') ?? null,
    }),
  onAfterResponse: (req, res) =>
    emit({
      type: 'response',
      method: req.getMethod(),
      status: res.getStatus(),
      offset: res.getHeader('Upload-Offset') ?? null,
    }),
  // Keep-alive sockets could hold the process open; leave as soon as the verdict is written.
  onSuccess: () => emit({ type: 'success', url: upload.url }, () => process.exit(0)),
  onError: (error) => emit({ type: 'error', message: error.message }, () => process.exit(1)),
});

const previous = await upload.findPreviousUploads();
const latest = previous[0];
if (latest) {
  upload.resumeFromPreviousUpload(latest);
  emit({ type: 'resuming', url: latest.uploadUrl });
} else {
  emit({ type: 'fresh' });
}
upload.start();
