// Loopback is fast enough that a 200 MB upload can finish between two progress ticks. The kill
// tests slow the client's body down so the kill reliably lands mid-upload; everything else about
// the request (headers, offsets, retries) stays tus-js-client's own.
import { pipeline, Transform, type Readable } from 'node:stream';
import { defaultOptions } from 'tus-js-client';
import type { UploadOptions } from './fixtures';

type FileReader = NonNullable<UploadOptions['fileReader']>;

/** Mutable so a test can lift the limit once the kill has happened. */
export interface Pace {
  bytesPerSecond: number;
}

function pacedStream(pace: Pace): Transform {
  const startedAt = Date.now();
  let passed = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      passed += chunk.length;
      // Hold each chunk until the running average is back under the rate.
      const dueMs = Number.isFinite(pace.bytesPerSecond)
        ? (passed / pace.bytesPerSecond) * 1000 - (Date.now() - startedAt)
        : 0;
      if (dueMs <= 1) done(null, chunk);
      else setTimeout(() => done(null, chunk), dueMs);
    },
  });
}

/** Wraps tus-js-client's own Node file reader; only the slices' bodies are paced. */
export function pacedFileReader(pace: Pace): FileReader {
  const inner = defaultOptions.fileReader;
  return {
    async openFile(input, chunkSize) {
      const source = await inner.openFile(input, chunkSize);
      return {
        size: source.size,
        close: () => source.close(),
        async slice(start, end) {
          const { value, done } = await source.slice(start, end);
          const body = value as Readable & { size: number };
          const paced = pacedStream(pace);
          pipeline(body, paced, () => undefined);
          // tus-js-client's Node stack reads `size` for Content-Length.
          return { value: Object.assign(paced, { size: body.size }), done };
        },
      };
    },
  };
}
