import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { UploadJob } from '../../shared/upload-job';
import { createJsonFilePersistence, createMemoryPersistence } from './queue-persistence';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-persist-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const job = (id: string, patch: Partial<UploadJob> = {}): UploadJob => ({
  id,
  path: `/data/${id}.bin`,
  name: `${id}.bin`,
  size: 10,
  mtimeMs: 1_700_000_000_000.5,
  target: { endpoint: 'http://127.0.0.1:9/files/' },
  status: 'queued',
  acknowledged: 0,
  sent: 0,
  attempts: 0,
  addedAt: 1,
  ...patch,
});

const asidePaths = async () => (await readdir(dir)).filter((name) => name.includes('.unreadable-'));

it('round-trips jobs through the JSON file, creating its folder', async () => {
  const path = join(dir, 'nested', 'queue.json');
  const persistence = createJsonFilePersistence(path);
  expect(await persistence.load()).toBeUndefined();
  const state = {
    version: 1 as const,
    jobs: [
      job('a'),
      job('b', { status: 'completed', sha256: 'ab', finishedAt: 5, uploadUrl: 'http://127.0.0.1:9/files/x' }),
    ],
  };
  await persistence.save(state);
  expect(await persistence.load()).toEqual(state);
  // The write is atomic: no temp file is left behind.
  expect(await readdir(join(dir, 'nested'))).toEqual(['queue.json']);
});

it('keeps the good jobs when one cannot be read, and keeps a copy of the original', async () => {
  const path = join(dir, 'queue.json');
  // A NaN offset is written by JSON.stringify as null, which the schema rejects.
  const text = JSON.stringify({
    version: 1,
    jobs: [job('good'), job('bad', { acknowledged: Number.NaN }), job('fine', { status: 'paused' })],
  });
  await writeFile(path, text);
  const loaded = await createJsonFilePersistence(path).load();
  expect(loaded?.jobs.map((entry) => entry.id)).toEqual(['good', 'fine']);
  const aside = await asidePaths();
  expect(aside).toHaveLength(1);
  expect(await readFile(join(dir, aside[0]!), 'utf8')).toBe(text);
});

it.each([
  ['torn JSON', '{"version":1,"jobs":[{"id":'],
  ['an unknown version', JSON.stringify({ version: 2, jobs: [] })],
  ['not a queue at all', '[]'],
])('starts empty on %s, without losing the file', async (_name, text) => {
  const path = join(dir, 'queue.json');
  await writeFile(path, text);
  expect(await createJsonFilePersistence(path).load()).toBeUndefined();
  const aside = await asidePaths();
  expect(aside).toHaveLength(1);
  expect(await readFile(join(dir, aside[0]!), 'utf8')).toBe(text);
});

it('the memory port stores a copy, not the live objects', async () => {
  const memory = createMemoryPersistence();
  const live = { version: 1 as const, jobs: [job('a')] };
  await memory.save(live);
  live.jobs[0]!.status = 'failed';
  expect((await memory.load())?.jobs[0]?.status).toBe('queued');
  expect(memory.saved).toBe(1);
});
