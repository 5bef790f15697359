import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pumpToFile, type PumpOptions } from './write-pump';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-pump-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Chunks that each own their memory, as Node's HTTP parser hands a request body over. */
const ownChunks = (count: number, size: number) => Array.from({ length: count }, () => Buffer.from(randomBytes(size)));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const isDetached = (chunk: Buffer) => (chunk.buffer as ArrayBuffer & { detached: boolean }).detached;

let files = 0;
async function pump(source: Readable, options: Partial<PumpOptions> = {}) {
  const path = join(dir, `data-${files++}`);
  const handle = await open(path, 'a');
  try {
    const result = await pumpToFile(source, handle, { maxBytes: Number.MAX_SAFE_INTEGER, ...options });
    return { result, stored: await readFile(path) };
  } finally {
    await handle.close();
  }
}

/** A hash that keeps what it saw and settles each piece only when told to. */
function heldHash() {
  const seen: Buffer[] = [];
  const waiting: (() => void)[] = [];
  return {
    seen,
    hash: (piece: Buffer) => {
      seen.push(piece);
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    settleAll: () => waiting.splice(0).forEach((settle) => settle()),
    get waiting() {
      return waiting.length;
    },
  };
}

describe('write pump', () => {
  it('frees each chunk of a request body once it is written, and only when told the chunks are its own', async () => {
    const owned = ownChunks(8, 64 * 1024);
    const body = Buffer.concat(owned);
    const { stored } = await pump(Readable.from(owned), { releaseChunks: true });
    expect(stored.equals(body)).toBe(true);
    expect(owned.every(isDetached)).toBe(true);

    const callers = ownChunks(4, 64 * 1024);
    const copy = Buffer.concat(callers);
    const { stored: again } = await pump(Readable.from(callers));
    expect(callers.some(isDetached)).toBe(false);
    expect(again.equals(copy)).toBe(true);
  });

  it('never frees a chunk that is a slice of larger memory', async () => {
    const whole = Buffer.from(randomBytes(128 * 1024));
    const halves = [whole.subarray(0, 64 * 1024), whole.subarray(64 * 1024)];
    const { stored } = await pump(Readable.from(halves), { releaseChunks: true });
    expect(isDetached(whole)).toBe(false);
    expect(stored.equals(whole)).toBe(true);
  });

  it('hands a hashed body to the hash in order, in shared memory, and writes the same bytes', async () => {
    const chunks = ownChunks(40, 64 * 1024 + 7);
    const body = Buffer.concat(chunks);
    const pieces: Buffer[] = [];
    const { result, stored } = await pump(Readable.from(chunks), {
      releaseChunks: true,
      hash: async (piece) => {
        expect(piece.buffer).toBeInstanceOf(SharedArrayBuffer);
        pieces.push(Buffer.from(piece));
      },
    });
    expect(result.written).toBe(body.length);
    expect(sha256(Buffer.concat(pieces))).toBe(sha256(body));
    expect(stored.equals(body)).toBe(true);
    // Copied into the staging batches: the chunks' own memory went at once.
    expect(chunks.every(isDetached)).toBe(true);
  });

  it('with a hash on its own thread, hashes each chunk as it comes and writes from the chunks, not staged', async () => {
    const chunks = ownChunks(20, 64 * 1024 + 3);
    const body = Buffer.concat(chunks);
    const hash = createHash('sha256');
    let seen = 0;
    const { result, stored } = await pump(Readable.from(chunks), {
      releaseChunks: true,
      maxBytes: body.length - 10,
      hashNow: (piece) => {
        // The chunk itself (or the part of it that fits), not a copy in shared memory.
        expect(piece.buffer).toBe(chunks[seen]!.buffer);
        seen++;
        hash.update(piece);
      },
    });
    expect(result.exceeded).toBe(true);
    expect(result.written).toBe(body.length - 10);
    expect(hash.digest('hex')).toBe(sha256(body.subarray(0, body.length - 10)));
    expect(stored.equals(body.subarray(0, body.length - 10))).toBe(true);
    // Freed once written, as an unhashed body's chunks are (all but the last, cut to fit).
    expect(chunks.slice(0, -1).every(isDetached)).toBe(true);
  });

  it('slows the source while the hash lags, instead of piling up copies', async () => {
    const source = new PassThrough({ highWaterMark: 64 * 1024 });
    const hash = heldHash();
    const done = pump(source, { hash: hash.hash });
    const chunk = randomBytes(64 * 1024);
    let offered = 0;
    // Offer 64 MiB; a source that is never paused takes all of it.
    while (offered < 64 * 1024 * 1024) {
      if (!source.write(chunk)) await new Promise((resolve) => source.once('drain', resolve));
      offered += chunk.length;
      if (source.isPaused()) break;
    }
    expect(source.isPaused()).toBe(true);
    // The pause mark (16 MiB held) and a batch being filled.
    expect(offered).toBeLessThan(20 * 1024 * 1024);
    // Once the hash catches up, the rest flows.
    const settler = setInterval(() => hash.settleAll(), 5);
    source.end(chunk);
    const { result } = await done;
    clearInterval(settler);
    hash.settleAll();
    expect(result.written).toBe(offered + chunk.length);
    expect(Buffer.concat(hash.seen).length).toBe(offered + chunk.length);
  });

  it('reuses its staging memory from one body to the next', async () => {
    const memory = new Set<ArrayBufferLike>();
    for (let round = 0; round < 3; round++) {
      await pump(Readable.from(ownChunks(4, 300 * 1024)), {
        hash: async (piece) => {
          memory.add(piece.buffer);
        },
      });
    }
    // 1.2 MiB a body, in 1 MiB batches: two batches, taken again each time.
    expect(memory.size).toBeLessThanOrEqual(2);
  });

  it('hashes every accepted byte even when the write fails, and gives its memory back', async () => {
    const hash = heldHash();
    const path = join(dir, 'data');
    await (await open(path, 'w')).close();
    // Read-only: every write fails.
    const handle = await open(path, 'r');
    const chunks = ownChunks(4, 512 * 1024);
    const result = await pumpToFile(Readable.from(chunks), handle, {
      maxBytes: Number.MAX_SAFE_INTEGER,
      hash: hash.hash,
    }).finally(() => handle.close());
    expect(result.error).toBeDefined();
    expect(result.written).toBe(0);
    hash.settleAll();
    const hashed = Buffer.concat(hash.seen);
    expect(hashed.length).toBeGreaterThan(0);
    expect(hashed.equals(Buffer.concat(chunks).subarray(0, hashed.length))).toBe(true);
  });
});
