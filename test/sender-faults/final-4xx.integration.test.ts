import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../src/shared/progress-event';
import { landedFiles, landedHash, makeFile, queueFiles, runToIdle, stackPerTest, tempDir } from './harness';
import { isCreation } from './scripted-front';

// RELIABILITY case 9: a final 4xx (400, 403, 413) fails the job at once, with a readable error and
// code, and no retry loop. A 404 or 410 on the resume HEAD drops the stored URL and starts over.

const stacks = stackPerTest();

describe('final answers', () => {
  const cases = [
    { status: 400, method: 'PATCH', size: 300 * 1024, code: 'HTTP_400' },
    { status: 403, method: 'POST', size: 300 * 1024, code: 'HTTP_403' },
    { status: 413, method: 'POST', size: 20 * 1024, code: 'TOO_BIG' },
  ] as const;

  it.each(cases)('$status on $method fails after exactly one attempt', async ({ status, method, size, code }) => {
    const stack = await stacks.start();
    const src = await tempDir('src');
    const file = await makeFile(src, 'final.bin', size);
    // A 413 also carries the receiver's machine-readable code, which the job should keep.
    const headers = code === 'TOO_BIG' ? { 'x-ferry-error': code } : undefined;
    stack.front.script({
      method,
      when: (e) => method !== 'PATCH' || (e.offset ?? 0) > 0,
      times: 5,
      status,
      headers,
      body: 'go away',
    });
    const { queue, samples } = await queueFiles([file.path], stack.endpoint);
    const events: ProgressEvent[] = [];
    const [job] = await runToIdle(queue, { chunkSize: 64 * 1024 }, (pool) =>
      pool.hub.subscribe((event) => events.push(event)),
    );

    expect(job!.status).toBe('failed');
    expect(job!.error?.code).toBe(code);
    expect(job!.error?.message).toMatch(new RegExp(`HTTP ${status}`));
    const scripted = stack.front.log.filter((e) => e.scripted);
    expect(scripted).toHaveLength(1);
    // Nothing for this file after the final answer.
    expect(stack.front.log.filter((e) => e.seq > scripted[0]!.seq)).toEqual([]);
    expect(samples.some((s) => s.phase === 'retrying')).toBe(false);
    const last = events.filter((e) => e.uploadId === job!.id).at(-1);
    expect(last).toMatchObject({ status: 'failed', errorCode: code });
    expect(await landedFiles(stack.dir)).toEqual([]);
  });
});

describe('a vanished upload on resume', () => {
  it.each([404, 410])('%i on HEAD drops the stored URL and starts a new upload', async (status) => {
    const stack = await stacks.start();
    const src = await tempDir('src');
    const file = await makeFile(src, 'gone.bin', 512 * 1024);
    // A 500 mid-way forces a resume; the resume HEAD then finds the upload gone.
    stack.front.script(
      { method: 'PATCH', when: (e) => (e.offset ?? 0) >= 192 * 1024, times: 1, status: 500 },
      { method: 'HEAD', times: 1, status },
    );
    const { queue, samples } = await queueFiles([file.path], stack.endpoint);
    const [job] = await runToIdle(queue, { chunkSize: 64 * 1024 });

    expect(job!.status).toBe('completed');
    expect(await landedHash(stack.dir, 'gone.bin')).toBe(file.hash);
    expect(await landedFiles(stack.dir)).toEqual(['gone.bin']);
    const posts = stack.front.log.filter(isCreation);
    expect(posts).toHaveLength(2);
    const urls = [...new Set(samples.map((s) => s.uploadUrl).filter(Boolean))];
    expect(urls).toHaveLength(2);
    expect(job!.parts?.[0]?.url ?? job!.uploadUrl).toBe(urls[1]);
    // The stored URL was dropped, not retried against: no request to the old upload after the HEAD.
    const head = stack.front.log.find((e) => e.scripted && e.method === 'HEAD')!;
    const oldId = head.uploadId;
    expect(stack.front.log.filter((e) => e.seq > head.seq && e.uploadId === oldId)).toEqual([]);
    // The new upload started from zero.
    const firstNew = stack.front.log.find((e) => e.method === 'PATCH' && e.seq > posts[1]!.seq);
    expect(firstNew?.offset).toBe(0);
  });
});
