// Interop: the real tus-js-client (Node build) against Ferry's receiver, one 200 MB random file in
// three shapes: one PATCH, 8 MiB chunks, and four parallel partial uploads joined by concatenation.
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createReceiver, type Receiver } from '../../src/engine/receiver/server';
import { MiB, headUpload, makeTempDir, removeDir, sha256File, token, uploadWith, writeRandomFile } from './fixtures';

const size = 200 * MiB;

describe('tus-js-client against the receiver', () => {
  let work: string;
  let source: string;
  let sourceHash: string;
  let dir: string;
  let receiver: Receiver;
  let endpoint: string;

  beforeAll(async () => {
    work = await makeTempDir('tus-js');
    source = join(work, 'source.bin');
    sourceHash = await writeRandomFile(source, size);
  }, 120_000);

  afterAll(() => removeDir(work));

  beforeEach(async () => {
    dir = await makeTempDir('tus-js-received');
    receiver = createReceiver({ dir, token, logger: false });
    endpoint = `${(await receiver.listen()).url}/files/`;
  });

  afterEach(async () => {
    await receiver?.close();
    await removeDir(dir);
  });

  /** What landed in the receive folder, ignoring Ferry's own state folder. */
  async function landed(): Promise<string[]> {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
      .filter((path) => !path.startsWith('.ferry'))
      .sort();
  }

  it('uploads 200 MB in a single PATCH with chunkSize Infinity', { timeout: 120_000 }, async () => {
    // A path-backed fs.ReadStream becomes tus-js-client's FileSource: sliceable, never buffered whole.
    const outcome = await uploadWith(createReadStream(source), {
      endpoint,
      chunkSize: Infinity,
      metadata: { filename: 'single.bin' },
    });

    const patches = outcome.requests.filter((req) => req.method === 'PATCH');
    expect(patches.map((req) => req.offset)).toEqual(['0']);
    expect(outcome.responses.at(-1)).toMatchObject({ method: 'PATCH', status: 204, offset: String(size) });
    expect(await landed()).toEqual(['single.bin']);
    expect(await sha256File(join(dir, 'single.bin'))).toBe(sourceHash);
    // The id keeps answering HEAD with offset = length after it lands.
    expect(await headUpload(outcome.url)).toMatchObject({ status: 200, offset: size, length: size });
  });

  it('uploads 200 MB in 8 MiB chunks into a relativePath sub-folder', { timeout: 120_000 }, async () => {
    const chunkSize = 8 * MiB;
    const outcome = await uploadWith(createReadStream(source), {
      endpoint,
      chunkSize,
      metadata: { filename: 'chunked.bin', relativePath: 'batch/2024/chunked.bin' },
    });

    const patches = outcome.requests.filter((req) => req.method === 'PATCH');
    expect(patches).toHaveLength(size / chunkSize);
    expect(patches.map((req) => Number(req.offset))).toEqual(
      Array.from({ length: size / chunkSize }, (_, i) => i * chunkSize),
    );
    expect(outcome.responses.filter((res) => res.method === 'PATCH').every((res) => res.status === 204)).toBe(true);
    expect(await landed()).toEqual(['batch/2024/chunked.bin']);
    expect(await sha256File(join(dir, 'batch/2024/chunked.bin'))).toBe(sourceHash);
  });

  it('uploads 200 MB as four parallel partial uploads and a final concatenation', { timeout: 120_000 }, async () => {
    const outcome = await uploadWith(createReadStream(source), {
      endpoint,
      parallelUploads: 4,
      metadata: { filename: 'parallel.bin' },
    });

    const posts = outcome.requests.filter((req) => req.method === 'POST');
    expect(posts.filter((req) => req.concat === 'partial')).toHaveLength(4);
    const finals = posts.filter((req) => req.concat?.startsWith('final;'));
    expect(finals).toHaveLength(1);
    expect(finals[0]!.concat!.slice('final;'.length).split(' ')).toHaveLength(4);
    expect(outcome.requests.filter((req) => req.method === 'PATCH')).toHaveLength(4);

    // Partials carry no filename and must not land; only the final one does.
    expect(await landed()).toEqual(['parallel.bin']);
    expect(await sha256File(join(dir, 'parallel.bin'))).toBe(sourceHash);
    const final = await headUpload(outcome.url);
    expect(final).toMatchObject({ status: 200, offset: size, length: size });
    expect(final.concat).toMatch(/^final;/);
  });
});
