import { afterAll, expect, it, vi } from 'vitest';
import { removeTempDirs, startReceiver } from './support/fixtures';
import { createUpload, patch } from './support/http-kit';

/** Record writes (`*.info`) are held this long while `slowRecords.on`, so one is surely in flight at close(). */
const heldMs = 400;
const slowRecords = vi.hoisted(() => ({ on: false, started: 0, finished: 0 }));

vi.mock('../../src/engine/fs/atomic-file', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/engine/fs/atomic-file')>();
  return {
    ...real,
    async writeFileAtomic(...args: Parameters<typeof real.writeFileAtomic>) {
      if (!slowRecords.on || !args[0].endsWith('.info')) return real.writeFileAtomic(...args);
      slowRecords.started++;
      await new Promise((resolve) => setTimeout(resolve, heldMs));
      try {
        return await real.writeFileAtomic(...args);
      } finally {
        slowRecords.finished++;
      }
    },
  };
});

afterAll(removeTempDirs);

// RELIABILITY: close() resolving means the folder is the caller's again. An append that leaves its
// upload unfinished rewrites the record after answering (its touch), which no request handler waits
// for: close() must wait for it too, or it lands after the caller moved or removed the folder.
it('close() resolves only after the record write an answered append started', async () => {
  const { receiver, target } = await startReceiver({ shutdownGraceMs: 1_000 });
  const id = await createUpload(target, 1_000);
  slowRecords.on = true;
  const answered = await patch(target, id, 0, Buffer.alloc(100, 7));
  expect(answered.status).toBe(204);
  expect(slowRecords.started).toBeGreaterThan(slowRecords.finished);
  const closingAt = performance.now();
  await receiver.close();
  expect(slowRecords.finished).toBe(slowRecords.started);
  // The close waited for the held write, not for anything else that happens to take as long.
  expect(performance.now() - closingAt).toBeGreaterThan(heldMs / 2);
});
