import { expect, it } from 'vitest';
import {
  auth,
  landedHash,
  makeFile,
  memoryQueue,
  stackPerTest,
  tempDir,
  testPool,
  waitFor,
  watchJobs,
} from './harness';

// The gate that holds uploads back (a target gone offline, a 429 or 503 with Retry-After) is kept
// per target: one receiver that does not answer, or asks for a pause, does not stop the others.
// Two targets here are two proxies (two origins) in front of one receiver.

const stacks = stackPerTest();

async function twoTargets(names: { held: string[]; free: string[] }) {
  const stack = await stacks.start();
  const heldProxy = await stack.extraProxy();
  const src = await tempDir('src');
  const queue = await memoryQueue();
  const samples = watchJobs(queue);
  const files = new Map<string, { path: string; hash: string }>();
  // The held target's files come first in the queue.
  for (const [names_, endpoint] of [
    [names.held, `${heldProxy.url}/files/`],
    [names.free, stack.endpoint],
  ] as const) {
    for (const name of names_) {
      const file = await makeFile(src, name, 256 * 1024 + files.size);
      files.set(name, file);
      await queue.add([file.path], { endpoint, headers: auth });
    }
  }
  const byName = (name: string) => queue.list().find((job) => job.name === name)!;
  return { stack, heldProxy, queue, samples, files, byName };
}

it("one target offline: the other target's files go on and finish while it waits", async () => {
  const { stack, heldProxy, queue, files, byName } = await twoTargets({
    held: ['d1.bin', 'd2.bin'],
    free: ['l1.bin', 'l2.bin', 'l3.bin'],
  });
  await heldProxy.stopListening();
  const pool = testPool(queue, { concurrency: 2 });
  pool.start();

  await waitFor(
    () => ['l1.bin', 'l2.bin', 'l3.bin'].every((name) => byName(name).status === 'completed'),
    10_000,
    'the reachable target’s files',
  );
  for (const name of ['d1.bin', 'd2.bin'])
    expect([name, byName(name).status, byName(name).phase]).toEqual([name, 'queued', 'offline']);
  for (const name of ['l1.bin', 'l2.bin', 'l3.bin'])
    expect(await landedHash(stack.dir, name)).toBe(files.get(name)!.hash);

  await heldProxy.resumeListening();
  await pool.whenIdle();
  await pool.close();
  for (const name of ['d1.bin', 'd2.bin']) {
    expect(byName(name).status).toBe('completed');
    expect(await landedHash(stack.dir, name)).toBe(files.get(name)!.hash);
  }
});

it.each([429, 503])(
  "a %i with Retry-After pauses its target only: the other target's files finish inside the pause",
  async (status) => {
    const { stack, queue, samples, files, byName } = await twoTargets({ held: ['a1.bin'], free: ['b1.bin', 'b2.bin'] });
    stack.front.script({ method: 'POST', file: 'a1.bin', times: 1, status, headers: { 'retry-after': '3' } });
    const pool = testPool(queue, { concurrency: 2 });
    pool.start();
    await pool.whenIdle();
    await pool.close();

    for (const [name, file] of files) {
      expect(byName(name).status).toBe('completed');
      expect(await landedHash(stack.dir, name)).toBe(file.hash);
    }
    const answer = stack.front.log.find((e) => e.scripted)!;
    expect(answer.status).toBe(status);
    // The held target waited out its pause...
    const nextForA = stack.front.log.find((e) => e.file === 'a1.bin' && e.seq > answer.seq)!;
    expect(nextForA.at - answer.endedAt!).toBeGreaterThan(2_900);
    expect(samples.some((s) => s.id === byName('a1.bin').id && s.phase === 'waiting')).toBe(true);
    // ...while the other one finished inside it.
    const lastForB = Math.max(...stack.front.log.filter((e) => e.file?.startsWith('b')).map((e) => e.endedAt!));
    expect(lastForB - answer.endedAt!).toBeLessThan(2_500);
  },
);
