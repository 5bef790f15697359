import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';

// Counts the digest threads started, around the real Worker.
const started = vi.hoisted(() => ({ count: 0, last: undefined as import('node:events').EventEmitter | undefined }));
vi.mock('node:worker_threads', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:worker_threads')>();
  class CountedWorker extends real.Worker {
    constructor(...args: ConstructorParameters<typeof real.Worker>) {
      super(...args);
      started.count++;
      started.last = this;
    }
  }
  return { ...real, Worker: CountedWorker };
});

const { createDigestWorker, prestartDigestThread } = await import('./digest-worker');

describe('prestartDigestThread', () => {
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((worker) => worker.close()));
  });

  it('starts one thread ahead of need, which the next digest worker takes instead of starting its own', async () => {
    const before = started.count;
    prestartDigestThread();
    prestartDigestThread();
    expect(started.count).toBe(before + 1);
    const worker = createDigestWorker();
    opened.push(worker);
    // Large enough to be hashed on the thread, not inline.
    const body = Buffer.alloc(256 * 1024, 7);
    const digest = await worker.digest('sha256', body);
    expect(digest.equals(createHash('sha256').update(body).digest())).toBe(true);
    expect(started.count).toBe(before + 1);
    // Taken once: the next worker starts a thread of its own.
    const second = createDigestWorker();
    opened.push(second);
    await second.digest('sha256', body);
    expect(started.count).toBe(before + 2);
  });

  it('a prestarted thread that fails before it is taken is dropped, and the next digest worker starts its own', async () => {
    prestartDigestThread();
    const before = started.count;
    // Without a listener, a worker's 'error' event would end the process.
    expect(() => started.last!.emit('error', new Error('thread failed to start'))).not.toThrow();
    const worker = createDigestWorker();
    opened.push(worker);
    const body = Buffer.alloc(256 * 1024, 3);
    expect((await worker.digest('sha256', body)).equals(createHash('sha256').update(body).digest())).toBe(true);
    expect(started.count).toBe(before + 1);
  });
});
