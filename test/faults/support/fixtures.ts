import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createReceiver, type Receiver, type ReceiverOptions } from '../../../src/engine/receiver/server';
import { testToken, type Target } from './http-kit';

const made: string[] = [];

export async function tempDir(label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `ferry-${label}-`));
  made.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
}

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export const stateDirOf = (dir: string) => join(dir, '.ferry', 'uploads');

/** A byte pattern that makes misplaced or interleaved bytes easy to spot. */
export function patterned(length: number, seed: number): Buffer {
  const data = Buffer.alloc(length);
  for (let i = 0; i < length; i++) data[i] = (i * 31 + seed * 97 + (i >> 8)) & 0xff;
  return data;
}

export interface Running {
  receiver: Receiver;
  target: Target;
  port: number;
  dir: string;
}

export async function startReceiver(options: Partial<ReceiverOptions> & { dir?: string } = {}): Promise<Running> {
  const dir = options.dir ?? (await tempDir('recv'));
  const receiver = createReceiver({ token: testToken, logger: false, ...options, dir });
  const { port } = await receiver.listen();
  return { receiver, target: { port }, port, dir };
}

/**
 * One receiver for every test in the file: started before the first test (ahead of any `beforeAll` the
 * file registers after this call), closed after the last, and the temp folders removed. The object is
 * filled in when the receiver starts, so tests and later hooks read it as usual.
 */
export function receiverForFile(options: Partial<ReceiverOptions> = {}): Running {
  const running = {} as Running;
  beforeAll(async () => {
    Object.assign(running, await startReceiver(options));
  });
  afterAll(async () => {
    await running.receiver.close();
    await removeTempDirs();
  });
  return running;
}

/**
 * Every file under `dir`, relative, sorted; the state folder can be left out. Temp files are left out
 * too: status writes run in the background, so one may exist for a moment. `leftovers` checks those.
 */
export async function listFiles(dir: string, skipState = false): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.tmp'))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .filter((path) => !(skipState && path.startsWith('.ferry')))
    .sort();
}

export async function placedHash(dir: string, name: string): Promise<string> {
  return sha256(await readFile(join(dir, name)));
}

/** A port that was free a moment ago, for servers that must come back on the same one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Temp and crash-marker files a clean receiver must not leave behind. */
export async function leftovers(stateDir: string): Promise<string[]> {
  const names = await readdir(stateDir).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.tmp') || name.endsWith('.pending'));
}

/** Like `leftovers`, after giving background status writes up to `waitMs` to finish. */
export async function settledLeftovers(stateDir: string, waitMs = 1_000): Promise<string[]> {
  const deadline = Date.now() + waitMs;
  let left = await leftovers(stateDir);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = await leftovers(stateDir);
  }
  return left;
}
