// tus-js-client (Node build) as a user would run it: an fs read stream per
// file, a fixed number of uploads at once. Runs inside a sender child.
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Upload } from 'tus-js-client';
import type { SenderVariant } from './sender-protocol';

export interface TusJsSend {
  variant: SenderVariant;
  endpoint: string;
  headers: Record<string, string>;
  concurrency: number;
}

type UploadInput = ConstructorParameters<typeof Upload>[0];

function uploadOne(task: TusJsSend, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // The Node build accepts an fs.ReadStream (it re-opens the path per chunk);
    // the published typings do not list it.
    const source = createReadStream(path) as unknown as UploadInput;
    const upload = new Upload(source, {
      endpoint: task.endpoint,
      headers: task.headers,
      metadata: { filename: basename(path) },
      chunkSize: task.variant.chunkSize ?? Number.POSITIVE_INFINITY,
      // On for small files: one request per file, as Ferry does on its own.
      uploadDataDuringCreation: task.variant.dataInCreation === true,
      // A failure must show up as a failure, not as a slower run.
      retryDelays: null,
      storeFingerprintForResuming: false,
      onSuccess: () => resolve(),
      onError: (error) => reject(error),
    });
    upload.start();
  });
}

export async function sendWithTusJs(task: TusJsSend, paths: string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < paths.length) await uploadOne(task, paths[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(task.concurrency, paths.length) }, worker));
}
