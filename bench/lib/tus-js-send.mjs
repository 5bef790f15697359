#!/usr/bin/env node
// The peer as its users run it: a short Node script around tus-js-client that sends files and
// folders to a tus endpoint, a fixed number at once, one request per file when it is small.
//   node bench/lib/tus-js-send.mjs --to <endpoint> [--token <t>] [--concurrency <n>] <paths...>
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Upload } from 'tus-js-client';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { to: { type: 'string' }, token: { type: 'string' }, concurrency: { type: 'string', default: '4' } },
});
if (!values.to || positionals.length === 0) {
  console.error('Usage: tus-js-send --to <endpoint> [--token <t>] [--concurrency <n>] <paths...>');
  process.exit(2);
}

/** Below this a file goes in the request that creates it (as Ferry does), above it in one PATCH. */
const inCreationBytes = 8 * 2 ** 20;

async function filesUnder(path) {
  const info = await stat(path);
  if (!info.isDirectory()) return [{ path, size: info.size }];
  const entries = await readdir(path, { withFileTypes: true });
  const nested = await Promise.all(entries.map((entry) => filesUnder(join(path, entry.name))));
  return nested.flat();
}

function send(file) {
  return new Promise((resolve, reject) => {
    const upload = new Upload(createReadStream(file.path), {
      endpoint: values.to,
      headers: values.token ? { Authorization: `Bearer ${values.token}` } : {},
      metadata: { filename: basename(file.path) },
      chunkSize: Number.POSITIVE_INFINITY,
      uploadDataDuringCreation: file.size <= inCreationBytes,
      retryDelays: null,
      storeFingerprintForResuming: false,
      onSuccess: resolve,
      onError: reject,
    });
    upload.start();
  });
}

const files = (await Promise.all(positionals.map(filesUnder))).flat();
let next = 0;
const worker = async () => {
  while (next < files.length) await send(files[next++]);
};
try {
  await Promise.all(Array.from({ length: Math.min(Number(values.concurrency), files.length) }, worker));
  console.log(`sent ${files.length} file(s)`);
} catch (error) {
  console.error(`tus-js-send: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
