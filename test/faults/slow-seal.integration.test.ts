import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { placedHash, receiverForFile, sha256, startReceiver, type Running } from './support/fixtures';
import { call, createUpload, encodeMetadata, openExchange, patch, patchHead, sleep, waitFor } from './support/http-kit';

// Sealing is the server's own work (joining parts, re-reading a file to check its sha256). The client
// waits for its answer meanwhile: the connection's idle timeout must not cut it, however long it takes.
const idleTimeoutMs = 200;
const hashing = vi.hoisted(() => ({ delayMs: 0, fileReads: 0, started: [] as (() => void)[] }));
vi.mock('../../src/engine/crypto/digest-worker', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/engine/crypto/digest-worker')>();
  return {
    ...original,
    createDigestWorker: () => {
      const worker = original.createDigestWorker();
      return {
        ...worker,
        // Whole-file reads only: the ones a seal falls back to when no running digest is there.
        async digestFile(...args: Parameters<typeof worker.digestFile>) {
          hashing.fileReads++;
          for (const notify of hashing.started.splice(0)) notify();
          await new Promise((resolve) => setTimeout(resolve, hashing.delayMs));
          return worker.digestFile(...args);
        },
      };
    },
  };
});

const running = receiverForFile({ idleTimeoutMs });
// The same cases with the usual idle timeout, so they show their own trouble and not the idle timer's.
const relaxed = {} as Running;
beforeAll(async () => {
  Object.assign(relaxed, await startReceiver());
});
afterAll(() => relaxed.receiver.close());
beforeEach(() => {
  hashing.delayMs = 0;
  hashing.fileReads = 0;
});
const checksumOf = (data: Buffer) => `sha256 ${createHash('sha256').update(data).digest('base64')}`;
const idOf = (location: string) => location.slice(location.lastIndexOf('/') + 1);

async function finishedPart(data: Buffer, on: Running = running): Promise<string> {
  const created = await call(on.target, 'POST', '/files/', {
    'Upload-Length': String(data.length),
    'Upload-Concat': 'partial',
  });
  const id = idOf(created.headers.location!);
  expect((await patch(on.target, id, 0, data)).status).toBe(204);
  return id;
}

const seal = (partIds: string[], metadata: Record<string, string>, on: Running = running) =>
  call(on.target, 'POST', '/files/', {
    'Upload-Concat': `final;${partIds.map((id) => `/files/${id}`).join(' ')}`,
    'Upload-Metadata': encodeMetadata(metadata),
  });

describe('sealing longer than the idle timeout', () => {
  it('a final POST whose sha256 re-read outlasts the idle timeout still answers 201', async () => {
    const [a, b] = [randomBytes(300_000), randomBytes(200_000)];
    const parts = [await finishedPart(a), await finishedPart(b)];
    hashing.delayMs = idleTimeoutMs * 4;
    const started = Date.now();
    const sealed = await seal(parts, { filename: 'slow-seal.bin', sha256: sha256(Buffer.concat([a, b])) });
    expect(Date.now() - started).toBeGreaterThan(idleTimeoutMs * 3);
    expect(sealed.status).toBe(201);
    expect(await placedHash(running.dir, 'slow-seal.bin')).toBe(sha256(Buffer.concat([a, b])));
    expect(hashing.fileReads).toBe(1);
  });

  it('an upload completed by its body, checked longer than the idle timeout, still answers 201', async () => {
    const data = randomBytes(100_000);
    hashing.delayMs = idleTimeoutMs * 4;
    const created = await call(
      running.target,
      'POST',
      '/files/',
      {
        'Upload-Length': String(data.length),
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Metadata': encodeMetadata({ filename: 'slow-body.bin', sha256: sha256(data) }),
      },
      data,
    );
    expect(created.status).toBe(201);
    expect(await placedHash(running.dir, 'slow-body.bin')).toBe(sha256(data));
  });

  it('a client that goes quiet mid-body is still let go by the idle timeout', async () => {
    const data = randomBytes(10_000);
    const id = await createUpload(running.target, data.length * 2, { filename: 'quiet.bin' });
    const exchange = openExchange(running.port, patchHead(running.port, id, 0, data.length * 2));
    exchange.send(data);
    await exchange.closed;
    expect(exchange.received()).toBe('');
  });
});

describe('a running digest across rolled-back chunks', () => {
  it('a 460 chunk and an interrupted one keep the digest: the one-part seal reads nothing again', async () => {
    const source = randomBytes(600_000);
    const created = await call(relaxed.target, 'POST', '/files/', {
      'Upload-Length': String(source.length),
      'Upload-Concat': 'partial',
      'Upload-Metadata': encodeMetadata({ filename: 'kept-digest.bin' }),
    });
    const id = idOf(created.headers.location!);
    const first = source.subarray(0, 200_000);
    expect((await patch(relaxed.target, id, 0, first, { 'Upload-Checksum': checksumOf(first) })).status).toBe(204);
    const second = source.subarray(200_000, 400_000);
    expect((await patch(relaxed.target, id, 200_000, second, { 'Upload-Checksum': checksumOf(first) })).status).toBe(
      460,
    );
    // A sender that stalls mid-chunk: half the chunk, then the connection goes.
    const cut = openExchange(
      relaxed.port,
      patchHead(relaxed.port, id, 200_000, second.length, { 'Upload-Checksum': checksumOf(second) }),
    );
    cut.send(second.subarray(0, 100_000));
    await sleep(100);
    cut.socket.destroy();
    await waitFor(
      () => !relaxed.receiver.hub.get(id) || relaxed.receiver.hub.get(id)?.status !== 'running',
      5_000,
      'the cut chunk to settle',
    );
    for (const [offset, chunk] of [
      [200_000, second],
      [400_000, source.subarray(400_000)],
    ] as const) {
      expect((await patch(relaxed.target, id, offset, chunk, { 'Upload-Checksum': checksumOf(chunk) })).status).toBe(
        204,
      );
    }
    expect((await seal([id], { filename: 'kept-digest.bin', sha256: sha256(source) }, relaxed)).status).toBe(201);
    expect(hashing.fileReads).toBe(0);
    expect(await placedHash(relaxed.dir, 'kept-digest.bin')).toBe(sha256(source));
  });
});

describe('a DELETE of a part while a final joins it', () => {
  it('waits for the join: the final answers 201, its file is whole, then the part is gone', async () => {
    const [a, b] = [randomBytes(200_000), randomBytes(200_000)];
    const parts = [await finishedPart(a, relaxed), await finishedPart(b, relaxed)];
    hashing.delayMs = 600;
    const reading = new Promise<void>((resolve) => hashing.started.push(resolve));
    const sealing = seal(
      parts,
      { filename: 'joined-while-deleted.bin', sha256: sha256(Buffer.concat([a, b])) },
      relaxed,
    );
    // The join is checking the joined file now: a DELETE of one of its parts arrives.
    await reading;
    const deleting = call(relaxed.target, 'DELETE', `/files/${parts[1]}`);
    const [sealed, deleted] = await Promise.all([sealing, deleting]);
    expect(sealed.status, sealed.body).toBe(201);
    expect(await placedHash(relaxed.dir, 'joined-while-deleted.bin')).toBe(sha256(Buffer.concat([a, b])));
    // Once the join is done; had it taken longer than the lock wait, a retryable 423.
    expect(deleted.status).toBe(204);
    expect((await call(relaxed.target, 'HEAD', `/files/${parts[1]}`)).status).toBe(404);
    expect((await call(relaxed.target, 'HEAD', new URL(sealed.headers.location!, 'http://x').pathname)).status).toBe(
      200,
    );
  });
});
