import { describe, expect, it } from 'vitest';
import { createUploadLocks } from './upload-locks';

describe('upload locks', () => {
  it('asks the holder to release, then hands the lock over', async () => {
    const locks = createUploadLocks();
    const first = await locks.acquire('a');
    first.signal.addEventListener('abort', () => setTimeout(() => first.release(), 10));
    const second = await locks.acquire('a');
    expect(first.signal.aborted).toBe(true);
    expect(second.signal.aborted).toBe(false);
    expect(locks.isLocked('a')).toBe(true);
    second.release();
    expect(locks.isLocked('a')).toBe(false);
  });

  it('answers UPLOAD_LOCKED (423) when the holder never lets go', async () => {
    const locks = createUploadLocks();
    await locks.acquire('a');
    await expect(locks.acquire('a', 50)).rejects.toMatchObject({ code: 'UPLOAD_LOCKED', status: 423 });
  });

  it('keeps different uploads independent', async () => {
    const locks = createUploadLocks();
    const a = await locks.acquire('a');
    const b = await locks.acquire('b', 10);
    expect(a.signal.aborted).toBe(false);
    a.release();
    b.release();
  });

  it('one writer at a time under a storm of contenders', async () => {
    const locks = createUploadLocks();
    let holders = 0;
    let maxHolders = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const lock = await locks.acquire('x', 5_000).catch(() => undefined);
        if (!lock) return;
        holders += 1;
        maxHolders = Math.max(maxHolders, holders);
        await new Promise((resolve) => setTimeout(resolve, 2));
        holders -= 1;
        lock.release();
      }),
    );
    expect(maxHolders).toBe(1);
  });
});

describe('tryAcquire', () => {
  it('never disturbs a holder', async () => {
    const locks = createUploadLocks();
    const held = await locks.acquire('a');
    expect(locks.tryAcquire('a')).toBeUndefined();
    expect(held.signal.aborted).toBe(false);
    held.release();
    const taken = locks.tryAcquire('a');
    expect(taken).toBeDefined();
    taken!.release();
  });

  it('hands out no lock for writing once shutdown began, but still one for reading', async () => {
    const locks = createUploadLocks();
    const held = await locks.acquire('a');
    locks.releaseAll();
    expect(held.signal.aborted).toBe(true);
    await expect(locks.acquire('b')).rejects.toMatchObject({ code: 'SERVER_SHUTTING_DOWN', status: 503 });
    expect(locks.tryAcquire('c')).toBeUndefined();
    const read = await locks.acquire('d', 100, 'read');
    read.release();
  });
});
