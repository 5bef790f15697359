import { describe, expect, it, vi } from 'vitest';
import type { AddResult } from '../../engine/sender/upload-queue';
import { createUploadAdder } from './add-uploads';

function fakeCore(result: Partial<AddResult>) {
  const add = vi.fn(
    async () => ({ added: [], duplicates: [], skipped: [], completedDuplicates: [], ...result }) as AddResult,
  );
  const pool = { start: vi.fn(), recheck: vi.fn() };
  return { core: { queue: { add }, pool, target: () => ({ endpoint: 'http://127.0.0.1:1/files/' }) }, add, pool };
}

describe('adding uploads', () => {
  it('reports duplicates and unreadable paths by name only, and refuses relative paths', async () => {
    const { core, add } = fakeCore({
      duplicates: ['/home/a/photos/x.jpg'],
      skipped: [{ path: '/home/a/gone.txt', reason: 'ENOENT' }],
    });
    const summary = await createUploadAdder(core as never)([
      '/home/a/photos/x.jpg',
      'relative.txt',
      '/home/a/gone.txt',
    ]);
    expect(add).toHaveBeenCalledWith(['/home/a/photos/x.jpg', '/home/a/gone.txt'], {
      endpoint: 'http://127.0.0.1:1/files/',
    });
    expect(summary).toEqual({
      added: 0,
      duplicates: ['x.jpg'],
      skipped: [
        { name: 'relative.txt', reason: 'Not an absolute path' },
        { name: 'gone.txt', reason: 'ENOENT' },
      ],
    });
  });

  it('asks the target again about files it already finished, so a lost file is sent again', async () => {
    const { core, pool } = fakeCore({ duplicates: ['/a/done.bin'], completedDuplicates: ['job-7'] });
    await createUploadAdder(core as never)(['/a/done.bin']);
    expect(pool.recheck).toHaveBeenCalledWith('job-7');
    expect(pool.start).toHaveBeenCalled();
  });
});
