import { expect, it } from 'vitest';
import { bulkBody, type BulkSource } from './bulk-body';
import { closing } from './bulk-client';
import { partHeadText } from './bulk-part-head';
import type { BulkReader } from './bulk-reader';
import type { BandwidthLimiter } from './bandwidth-limiter';
import type { QueuedJob } from './queued-job';

const unlimited: BandwidthLimiter = { rate: null, take: async () => undefined, setRate: () => undefined };
const job = (id: string) => ({ id, name: `${id}.bin`, path: `/src/${id}.bin`, size: 3, mtimeMs: 1 }) as QueuedJob;
const source = (id: string, read: string[]): BulkSource => ({
  job: job(id),
  wanted: () => true,
  onRead: () => void read.push(id),
  onUnreadable: () => undefined,
});

/** A reader whose files are read already, or come back when `release` lets them. */
function readerOf(release?: Promise<void>[]): BulkReader {
  const fileOf = (path: string) => ({ data: Buffer.from(path.slice(-6, -4)), sha256: 'ab'.repeat(32) });
  return {
    read: (sources) =>
      sources.map((file, index) => {
        const pending = { ready: !release, file: Promise.resolve(fileOf(file.path)) };
        if (release) pending.file = release[index]!.then(() => ((pending.ready = true), fileOf(file.path)));
        return pending;
      }),
    warm: () => undefined,
    close: async () => undefined,
  };
}

async function pieces(body: AsyncGenerator<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const piece of body) out.push(piece);
  return out;
}

const partOf = (id: string) =>
  Buffer.concat([
    Buffer.from(partHeadText('b', { key: `${id}.${'ab'.repeat(32)}`, name: `${id}.bin`, sha256: 'ab'.repeat(32) })),
    Buffer.from(id.slice(-2)),
    Buffer.from('\r\n'),
  ]);

it('joins the parts of files already read into one piece: one socket write, not three a file', async () => {
  const read: string[] = [];
  const ids = ['f1', 'f2', 'f3'];
  const out = await pieces(
    bulkBody(
      ids.map((id) => source(id, read)),
      'b',
      readerOf(),
      unlimited,
      new AbortController().signal,
    ),
  );
  expect(out).toHaveLength(1);
  expect(Buffer.concat(out).toString()).toBe(Buffer.concat([...ids.map(partOf), closing('b')]).toString());
  expect(read).toEqual(ids);
});

it('sends what is ready without waiting for a file still being read', async () => {
  let letSecond!: () => void;
  const second = new Promise<void>((resolve) => (letSecond = resolve));
  const body = bulkBody(
    [source('f1', []), source('f2', [])],
    'b',
    readerOf([Promise.resolve(), second]),
    unlimited,
    new AbortController().signal,
  );
  const first = await body.next();
  // The first file left while the second one was not read yet.
  expect(first.value?.toString()).toBe(partOf('f1').toString());
  letSecond();
  const rest = await pieces(body);
  expect(Buffer.concat(rest).toString()).toBe(Buffer.concat([partOf('f2'), closing('b')]).toString());
});
