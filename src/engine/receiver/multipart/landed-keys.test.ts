import { mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createLandedKeys } from './landed-keys';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function setup(now = () => Date.now()) {
  dir = await mkdtemp(join(tmpdir(), 'ferry-keys-'));
  const journalPath = join(dir, '.ferry', 'keys.jsonl');
  const make = () => createLandedKeys({ receiveDir: dir!, journalPath, durable: false, now, retainMs: 1_000 });
  return { journalPath, make };
}

const record = (path: string, size: number, at = Date.now()) => ({ path, size, sha256: 'ab'.repeat(32), at });

it('finds a key while its file is there with its size, and forgets it once the file is gone', async () => {
  const { make } = await setup();
  const keys = make();
  await writeFile(join(dir!, 'a.txt'), 'hello');
  keys.record('k1', record('a.txt', 5));
  expect(await keys.find('k1')).toMatchObject({ path: 'a.txt' });
  await writeFile(join(dir!, 'a.txt'), 'hello, longer');
  expect(await keys.find('k1')).toBeUndefined();
  expect(keys.peek('k1')).toBeUndefined();
});

it('reads the journal back after a restart, skipping a line cut short by a crash', async () => {
  const { make, journalPath } = await setup();
  await writeFile(join(dir!, 'a.txt'), 'hello');
  const first = make();
  first.record('k1', record('a.txt', 5));
  await first.persist();
  await appendFile(journalPath, '{"k":"k2","p":"b.t');
  const second = make();
  expect(await second.find('k1')).toMatchObject({ path: 'a.txt', size: 5 });
  expect(await second.find('k2')).toBeUndefined();
  // The torn line is gone from the journal: it was written anew without it.
  expect((await readFile(journalPath, 'utf8')).trim().split('\n')).toHaveLength(1);
});

it('forgets keys older than the retention time, in memory and in the journal', async () => {
  let now = 10_000;
  const { make, journalPath } = await setup(() => now);
  await writeFile(join(dir!, 'a.txt'), 'hello');
  const keys = make();
  keys.record('old', record('a.txt', 5, now));
  await keys.persist();
  now += 5_000;
  expect(await keys.find('old')).toBeUndefined();
  const restarted = make();
  expect(await restarted.find('old')).toBeUndefined();
  expect((await readFile(journalPath, 'utf8')).trim()).toBe('');
});

it('lands a key once: work under one key runs one at a time, in order', async () => {
  const { make } = await setup();
  const keys = make();
  const order: string[] = [];
  const slow = keys.exclusive('k', async () => {
    await new Promise((resolve) => setTimeout(resolve, 30));
    order.push('first');
  });
  const fast = keys.exclusive('k', async () => void order.push('second'));
  await Promise.all([slow, fast]);
  expect(order).toEqual(['first', 'second']);
});

it('says which keys are still arriving, waiting a moment for them to settle', async () => {
  const { make } = await setup();
  const keys = make();
  const done = keys.begin('k1');
  keys.begin('k2');
  setTimeout(done, 20);
  const still = await keys.settled(['k1', 'k2', 'k3'], 200);
  expect([...still]).toEqual(['k2']);
});
