// Temp folders and random files with known hashes, shared by the test suites.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MiB = 1024 * 1024;

/** Writes `bytes` of random data in 1 MiB blocks and returns its SHA-256, hashed on the way out. */
export async function writeRandomFile(path: string, bytes: number): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(path, 'wx');
  try {
    for (let written = 0; written < bytes;) {
      const block = randomBytes(Math.min(MiB, bytes - written));
      hash.update(block);
      await handle.write(block);
      written += block.length;
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * MiB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A fresh folder named `ferry-<label>-…` under the system temp dir. */
export function makeTempDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `ferry-${label}-`));
}

export function removeDir(dir: string | undefined): Promise<void> {
  return dir ? rm(dir, { recursive: true, force: true }) : Promise.resolve();
}
