import { open, stat, utimes, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, MiB, removeDir, writeRandomFile } from '../../../test/support/sender-test-kit';
import { SourceChangedError } from './sender-errors';
import { streamedRequestBytes, streamRange } from './stream-range';
import type { Session } from './transfer-session';
import type { PatchRequest } from './tus-client';
const sessionWith = (chunkSize: number, limit: number | null, measured: number | undefined) =>
  ({
    settings: { chunkSize },
    deps: { limiter: { rate: limit }, link: { rate: () => measured } },
  }) as unknown as Session;

describe('request length to a one-pass receiver', () => {
  it('is the chunk size until the link is known', () => {
    expect(streamedRequestBytes(sessionWith(8 * MiB, null, undefined), 1024 * MiB)).toBe(8 * MiB);
  });

  it('is a quarter of the range on a fast link, never less than the chunk size', () => {
    expect(streamedRequestBytes(sessionWith(8 * MiB, null, 400e6), 1024 * MiB)).toBe(256 * MiB);
    expect(streamedRequestBytes(sessionWith(8 * MiB, null, 400e6), 28 * MiB)).toBe(8 * MiB);
  });

  it('is about two seconds of the link, or of the limit, when that is less', () => {
    expect(streamedRequestBytes(sessionWith(8 * MiB, null, 10e6), 1024 * MiB)).toBe(20e6);
    expect(streamedRequestBytes(sessionWith(8 * MiB, 1e6, 400e6), 1024 * MiB)).toBe(2e6);
    // A crawling link still gets requests worth their round trip.
    expect(streamedRequestBytes(sessionWith(8 * MiB, 1_000, undefined), 1024 * MiB)).toBe(64 * 1024);
  });
});

describe('checking the source while a range streams', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await removeDir(dir);
  });

  interface StreamOptions {
    /** Runs after 2 MiB. */
    midway?: (path: string) => Promise<void>;
    /** Runs after each piece, with its length. */
    onPiece?: (length: number) => Promise<void>;
    /** What the link meter says, in bytes per second. */
    linkRate?: number;
  }

  /** A range over a real file, through a client that drains each body. Returns the length of every piece too. */
  async function streamOnce(size: number, { midway, onPiece, linkRate }: StreamOptions = {}) {
    const dir = await makeTempDir('stream-range');
    dirs.push(dir);
    const path = join(dir, 'source.bin');
    await writeRandomFile(path, size);
    const info = await stat(path);
    const file = await open(path, 'r');
    let checks = 0;
    const handle = {
      read: file.read.bind(file),
      stat: () => ((checks += 1), file.stat()),
    } as unknown as FileHandle;
    let received = 0;
    const pieces: number[] = [];
    const client = {
      async patch(_target: unknown, _url: string, request: PatchRequest) {
        let ranMidway = false;
        let sent = 0;
        for await (const piece of request.body as AsyncIterable<Buffer>) {
          pieces.push(piece.length);
          await onPiece?.(piece.length);
          received += piece.length;
          sent += piece.length;
          request.onSent?.(sent);
          if (!ranMidway && received >= 2 * MiB && midway) await midway(path);
          ranMidway = received >= 2 * MiB;
        }
        return request.offset + sent;
      },
    };
    const session = {
      source: { path, size, mtimeMs: info.mtimeMs },
      target: { endpoint: 'http://127.0.0.1:1/files/' },
      handle,
      settings: { chunkSize: size, stallTimeoutMs: 10_000 },
      deps: {
        client,
        gate: async () => undefined,
        limiter: { rate: null, take: async () => undefined },
        link: { rate: () => linkRate, record: () => undefined },
      },
      signal: new AbortController().signal,
    } as unknown as Session;
    try {
      const offset = await streamRange(session, 'http://127.0.0.1:1/files/x', 0, size, 0, () => undefined);
      return { offset, checks, pieces };
    } finally {
      await file.close();
    }
  }

  it('checks every 16 MiB and at the end of the request, not after every piece', async () => {
    const { offset, checks } = await streamOnce(40 * MiB);
    expect(offset).toBe(40 * MiB);
    // 16 MiB, 32 MiB and the last piece; a check per 1 MiB piece would be 40.
    expect(checks).toBe(3);
  });

  it('ends a request whose source changed before its last byte goes, however few checks it made', async () => {
    const touched = new Date(Date.now() + 60_000);
    const streaming = streamOnce(8 * MiB, { midway: (path) => utimes(path, touched, touched) });
    await expect(streaming).rejects.toBeInstanceOf(SourceChangedError);
  });

  it('reads larger pieces for a range that streams alone on a fast link than for ranges side by side', async () => {
    const fast = 400e6;
    let firstPiece!: () => void;
    const firstStarted = new Promise<void>((resolve) => (firstPiece = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const first = streamOnce(12 * MiB, {
      linkRate: fast,
      onPiece: async () => {
        firstPiece();
        await released;
      },
    });
    await firstStarted;
    const second = await streamOnce(6 * MiB, { linkRate: fast });
    release();
    const alone = await first;
    expect(alone.offset).toBe(12 * MiB);
    expect(Math.max(...alone.pieces)).toBe(4 * MiB);
    expect(second.offset).toBe(6 * MiB);
    expect(Math.max(...second.pieces)).toBe(MiB);
    // Once both are over, a range alone gets the larger pieces again.
    expect(Math.max(...(await streamOnce(6 * MiB, { linkRate: fast })).pieces)).toBe(4 * MiB);
  });

  it('keeps 1 MiB pieces alone while the link is unknown or slower than a large piece a second', async () => {
    expect(Math.max(...(await streamOnce(6 * MiB)).pieces)).toBe(MiB);
    expect(Math.max(...(await streamOnce(6 * MiB, { linkRate: 2e6 })).pieces)).toBe(MiB);
  });
});
