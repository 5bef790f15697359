import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leftovers, placedHash, removeTempDirs, sha256, startReceiver, stateDirOf, tempDir } from './support/fixtures';
import { call, createUpload, headOffset, patch } from './support/http-kit';

// RELIABILITY case 2: a crash after the temp info file was written but before the rename.
afterAll(removeTempDirs);

/** Leaves state as a crash would: the old record stands, a temp write sits beside it. */
async function upToTheCrash(tempContent: (oldInfo: string) => string) {
  const dir = await tempDir('infotmp');
  const source = randomBytes(300_000);
  const first = await startReceiver({ dir });
  const id = await createUpload(first.target, source.length, { filename: 'crash.bin' });
  expect((await patch(first.target, id, 0, source.subarray(0, 100_000))).status).toBe(204);
  await first.receiver.close();
  const stateDir = stateDirOf(dir);
  const oldInfo = await readFile(join(stateDir, `${id}.info`), 'utf8');
  // The name the store's atomic writer uses: `.<name>.<pid>.<random>.tmp` next to the target.
  await writeFile(join(stateDir, `.${id}.info.4242.k3j2h1.tmp`), tempContent(oldInfo));
  return { dir, id, source, stateDir, oldInfo };
}

describe('crash between writing an info temp file and renaming it', () => {
  it('ignores a torn temp record: the old info stands and the upload resumes', async () => {
    const { dir, id, source, stateDir } = await upToTheCrash((old) => old.slice(0, Math.floor(old.length / 2)));
    const again = await startReceiver({ dir });
    try {
      expect(await headOffset(again.target, id)).toBe(100_000);
      expect(await leftovers(stateDir)).toEqual([]);
      expect((await patch(again.target, id, 100_000, source.subarray(100_000))).status).toBe(204);
      expect(await placedHash(dir, 'crash.bin')).toBe(sha256(source));
    } finally {
      await again.receiver.close();
    }
  });

  it('never adopts an uncommitted but well-formed temp record', async () => {
    // The temp claims a different length and completion; it was never renamed, so it never happened.
    const { dir, id, source, stateDir } = await upToTheCrash((old) =>
      JSON.stringify({ ...JSON.parse(old), length: 5, status: 'completed' }),
    );
    const again = await startReceiver({ dir });
    try {
      const head = await call(again.target, 'HEAD', `/files/${id}`);
      expect(head.status).toBe(200);
      expect(head.headers['upload-length']).toBe(String(source.length));
      expect(head.headers['upload-offset']).toBe('100000');
      expect(await leftovers(stateDir)).toEqual([]);
      expect((await patch(again.target, id, 100_000, source.subarray(100_000))).status).toBe(204);
      expect(await placedHash(dir, 'crash.bin')).toBe(sha256(source));
    } finally {
      await again.receiver.close();
    }
  });

  it('keeps the upload when the crash also left the data longer than the old record allows', async () => {
    // A crash can land after bytes were appended but before any record update: the data file rules.
    const { dir, id, source, stateDir } = await upToTheCrash((old) => old);
    await writeFile(join(stateDir, id), source.subarray(0, 150_000));
    const again = await startReceiver({ dir });
    try {
      expect(await headOffset(again.target, id)).toBe(150_000);
      expect((await readdir(stateDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
      expect((await patch(again.target, id, 150_000, source.subarray(150_000))).status).toBe(204);
      expect(await placedHash(dir, 'crash.bin')).toBe(sha256(source));
    } finally {
      await again.receiver.close();
    }
  });
});
