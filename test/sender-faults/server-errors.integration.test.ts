import { describe, expect, it } from 'vitest';
import { appendedBytes, landedHash, makeFile, queueFiles, runToIdle, stackPerTest, tempDir } from './harness';
import { isCreation } from './scripted-front';

// RELIABILITY case 8: 500, 502 and 503 a few times, then recovery: retried with jittered backoff,
// resumed from the server's offset, never restarted. A 429 (or 503) with Retry-After pauses the
// whole pool: no file starts a request until the wait is over.

const stacks = stackPerTest();

describe('transient 5xx', () => {
  it('retries PATCH and HEAD through 500, 502 and 503, then finishes', async () => {
    const stack = await stacks.start();
    const src = await tempDir('src');
    const file = await makeFile(src, 'flaky.bin', 512 * 1024);
    const midway = (e: { offset?: number }) => (e.offset ?? 0) >= 128 * 1024;
    stack.front.script(
      { method: 'PATCH', when: midway, times: 1, status: 500 },
      { method: 'HEAD', times: 1, status: 502 },
      { method: 'PATCH', when: midway, times: 1, status: 503 },
      { method: 'HEAD', times: 1, status: 503 },
      { method: 'PATCH', when: midway, times: 1, status: 500 },
    );
    const { queue, samples } = await queueFiles([file.path], stack.endpoint);
    const [job] = await runToIdle(queue, { chunkSize: 64 * 1024 });

    expect(job!.status).toBe('completed');
    expect(await landedHash(stack.dir, 'flaky.bin')).toBe(file.hash);
    const scripted = stack.front.log.filter((e) => e.scripted);
    expect(scripted.map((e) => `${e.method} ${e.status}`)).toEqual([
      'PATCH 500',
      'HEAD 502',
      'HEAD 503',
      'PATCH 503',
      'PATCH 500',
    ]);
    // A 5xx on the resume HEAD is retried, never answered by starting again from zero.
    expect(stack.front.log.filter(isCreation)).toHaveLength(1);
    expect(appendedBytes(stack.front, 'flaky.bin')).toBe(file.size);
    expect(samples.filter((s) => s.phase === 'retrying').length).toBeGreaterThanOrEqual(5);
    // Backoff with delays [0, 50, 100] and full jitter: each retry follows soon (slack for a busy CI box).
    for (const failed of scripted) {
      const next = stack.front.log.find((e) => e.seq > failed.seq)!;
      expect(next.at - failed.endedAt!).toBeLessThan(800);
    }
  });
});

describe('Retry-After pauses the whole pool', () => {
  it.each([429, 503])('a %i with Retry-After: 1 holds every file for a second', async (status) => {
    const stack = await stacks.start();
    // Slow enough that all three files are mid-upload when the answer comes.
    stack.proxy.setShaping({ latencyMs: 4 });
    const src = await tempDir('src');
    const files = [
      await makeFile(src, 'a.bin', 768 * 1024),
      await makeFile(src, 'b.bin', 768 * 1024),
      await makeFile(src, 'c.bin', 768 * 1024),
    ];
    stack.front.script({
      method: 'PATCH',
      file: 'b.bin',
      when: (e) => (e.offset ?? 0) >= 192 * 1024,
      times: 1,
      status,
      headers: { 'retry-after': '1' },
    });
    const { queue, samples } = await queueFiles(
      files.map((f) => f.path),
      stack.endpoint,
    );
    const jobs = await runToIdle(queue, { concurrency: 3, chunkSize: 32 * 1024 });

    for (const [i, name] of ['a.bin', 'b.bin', 'c.bin'].entries()) {
      expect(jobs[i]!.status).toBe('completed');
      expect(await landedHash(stack.dir, name)).toBe(files[i]!.hash);
    }
    const answer = stack.front.log.find((e) => e.scripted)!;
    expect(answer.status).toBe(status);
    // Other files were still uploading when the answer went out.
    const others = stack.front.log.filter((e) => e.file !== 'b.bin' && e.method === 'PATCH');
    expect(others.some((e) => e.at > answer.endedAt! + 1_000)).toBe(true);
    // Nothing starts inside the window; a little grace on each side covers the proxy's latency,
    // since a request already on its way when the answer left is not a new one.
    const grace = 40;
    const inWindow = stack.front.log.filter(
      (e) => e.at > answer.endedAt! + grace && e.at < answer.endedAt! + 1_000 - grace,
    );
    expect(inWindow.map((e) => `${e.method} ${e.file} +${Math.round(e.at - answer.endedAt!)} ms`)).toEqual([]);
    expect(samples.some((s) => s.phase === 'waiting')).toBe(true);
    expect(samples.some((s) => s.status === 'failed')).toBe(false);
  });
});
