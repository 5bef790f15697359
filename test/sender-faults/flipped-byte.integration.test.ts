import { connect, createServer, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { landedFiles, landedHash, makeFile, queueFiles, runToIdle, stackPerTest, tempDir } from './harness';
import { isCreation } from './scripted-front';

// The file's sha256 is the integrity check to Ferry's receiver: its chunks carry no checksum of their
// own. A byte flipped on the way is stored, the seal's sha256 check refuses the file (460
// SHA256_MISMATCH) so nothing lands, and the sender sends the whole file again as a new upload.

const stacks = stackPerTest();
let flipper: { close(): void } | undefined;
afterEach(async () => {
  flipper?.close();
  flipper = undefined;
});

/** A TCP relay to `port` that inverts one byte: the `at`-th byte clients send, counted over every connection. */
async function byteFlipper(port: number, at: number): Promise<{ url: string; flipped: () => boolean }> {
  let seen = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined).on('close', () => sockets.delete(socket));
    }
    client.on('data', (data: Buffer) => {
      if (seen <= at && at < seen + data.length) data[at - seen] = data[at - seen]! ^ 0xff;
      seen += data.length;
    });
    client.pipe(upstream).pipe(client);
  });
  flipper = {
    close() {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${own}`, flipped: () => seen > at };
}

async function sendFlipped(size: number, flipAt: number, checksum: boolean) {
  const stack = await stacks.start();
  const file = await makeFile(await tempDir('src'), 'flip.bin', size);
  const relay = await byteFlipper(stack.front.port, flipAt);
  const { queue } = await queueFiles([file.path], `${relay.url}/files/`);
  // One tus upload per file here, so a small file's one request is the creation that carries it.
  const [job] = await runToIdle(queue, { chunkSize: 256 * 1024, checksum, bulk: false });
  expect(relay.flipped()).toBe(true);
  expect(job).toMatchObject({ status: 'completed', sha256: file.hash, sha256Confirmed: true });
  // Landed once, and right.
  expect(await landedFiles(stack.dir)).toEqual(['flip.bin']);
  expect(await landedHash(stack.dir, 'flip.bin')).toBe(file.hash);
  return stack.front.log;
}

it('a byte flipped in a chunked file never lands: the seal is refused and the file is sent again', async () => {
  // Well past OPTIONS, the creation and the first PATCH's headers: a byte of the file's body.
  const log = await sendFlipped(2 * 1024 * 1024 + 7, 300_000, true);
  // No chunk carried a checksum that could have caught it: the seal did, and nothing landed then.
  const seals = log.filter((entry) => entry.method === 'POST' && entry.concat?.startsWith('final'));
  expect(seals.map((entry) => [entry.status, entry.replyError])).toEqual([
    [460, 'SHA256_MISMATCH'],
    [201, undefined],
  ]);
  expect(log.filter((entry) => entry.method === 'PATCH' && entry.status === 460)).toEqual([]);
  // Sent again from the first byte, as a new upload.
  expect(log.filter(isCreation)).toHaveLength(2);
});

it('a byte flipped in a small file sent without checksum: its creation is refused, and it goes again', async () => {
  // In the body of the one request that creates and fills the upload.
  const log = await sendFlipped(100 * 1024, 50_000, false);
  expect(log.filter(isCreation).map((entry) => [entry.status, entry.replyError])).toEqual([
    [460, 'SHA256_MISMATCH'],
    [201, undefined],
  ]);
});

it('a byte flipped in a small file with its checksum: the body is refused and sent again', async () => {
  const log = await sendFlipped(100 * 1024, 50_000, true);
  // The body's Upload-Checksum is the file's sha256: the receiver refuses it before it lands, keeps the
  // empty upload, and the file goes again into it.
  const creations = log.filter(isCreation);
  expect(creations.map((entry) => [entry.status, entry.replyError])).toEqual([[460, 'CHECKSUM_MISMATCH']]);
  expect(log.filter((entry) => entry.method === 'PATCH').map((entry) => [entry.offset, entry.status])).toEqual([
    [0, 204],
  ]);
});
