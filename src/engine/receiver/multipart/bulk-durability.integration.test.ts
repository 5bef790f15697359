// A bulk request fsyncs its staged files together: nothing is answered or lands before the fsync of
// its bytes, and a file whose fsync fails fails alone and lands nothing. Small files are written,
// synced and linked on the landing thread (landing-thread.ts), bigger ones through a FileHandle here
// (bulk-sync-group.ts).
import { randomBytes } from 'node:crypto';
import { existsSync, readlinkSync } from 'node:fs';
import { open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { bulkPart, closingBoundary, sendBulk, stagedPartsLeft } from '../../../../test/support/multipart-test-server';
import {
  listFiles,
  removeBase,
  startReceiver,
  token,
  type TestReceiver,
} from '../../../../test/support/tus-test-client';
import { createLandingThread } from './landing-thread';

const filesOf = (size: number) => ['a.bin', 'b.bin', 'c.bin'].map((name) => ({ name, content: randomBytes(size) }));
const bodyOf = (files: Array<{ name: string; content: Buffer }>) =>
  Buffer.concat([...files.map((file) => bulkPart({ ...file, key: `key-${file.name}` })), closingBoundary]);
const files = filesOf(4000);
/** Past the size a part is held in memory for: streamed to its staged file through a FileHandle. */
const bigFiles = filesOf(400 * 1024);

const postBulk = (url: string, body = bodyOf(files)) => sendBulk(url, body, token);

/** The path a handle is open on (Linux), to pick out the staged files' fsyncs. */
const isStaged = (handle: FileHandle) =>
  readlinkSync(`/proc/self/fd/${handle.fd}`).includes(`${path.sep}multipart${path.sep}`);

const faultyFs = path.resolve(import.meta.dirname, '../../../../test/support/faulty-fs.cjs');

/** A landing thread whose small files' calls fail or stall on `cue` (test/support/faulty-fs.cjs). */
function faultyLandingThread(cue: Record<string, unknown>) {
  process.env.FERRY_FAULTY_FS = JSON.stringify(cue);
  onTestFinished(() => void delete process.env.FERRY_FAULTY_FS);
  return createLandingThread({ fsModule: faultyFs });
}

/** Every FileHandle's `sync`, to wrap (the prototype is not exported; any open handle has it). */
async function handlePrototype(dir: string): Promise<{ sync: FileHandle['sync'] }> {
  const probe = await open(dir, 'r');
  const prototype = Object.getPrototypeOf(probe) as { sync: FileHandle['sync'] };
  await probe.close();
  return prototype;
}

let t: TestReceiver | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await removeBase(t);
  t = undefined;
});

describe('bulk request durability', () => {
  it('answers nothing and lands nothing while the staged files’ fsyncs are under way', async () => {
    const log = path.join(os.tmpdir(), `ferry-fsyncs-${process.pid}-${Date.now()}`);
    const release = `${log}.release`;
    t = await startReceiver({ landingThread: faultyLandingThread({ fsyncLog: log, holdFsyncUntil: release }) });
    onTestFinished(async () => void (await Promise.all([rm(log, { force: true }), rm(release, { force: true })])));

    let answered = false;
    const answer = postBulk(t.url).then((response) => {
      answered = true;
      return response;
    });
    const started = async () => (existsSync(log) ? (await readFile(log, 'utf8')).split('\n').length - 1 : 0);
    await vi.waitFor(async () => expect(await started()).toBe(files.length), { timeout: 5000 });
    // All three are being synced together, and none of them is in the receive folder or answered yet.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered).toBe(false);
    expect(await listFiles(t.dir)).toEqual([]);

    await writeFile(release, '');
    const response = await answer;
    expect(response.status).toBe(201);
    expect(await listFiles(t.dir)).toEqual(['a.bin', 'b.bin', 'c.bin']);
  });

  it('a file whose fsync fails fails alone: it never lands and its staged bytes are removed', async () => {
    // The second staged file's fsync fails, as on a device error.
    t = await startReceiver({ landingThread: faultyLandingThread({ failFsyncOf: 2 }) });
    await expectOneFailedOfThree(await postBulk(t.url));
  });

  it('a big file whose fsync fails fails alone too: it never lands and its staged bytes are removed', async () => {
    t = await startReceiver();
    const prototype = await handlePrototype(t.base);
    const realSync = prototype.sync;
    let staged = 0;
    vi.spyOn(prototype, 'sync').mockImplementation(async function (this: FileHandle) {
      // The second staged file's fsync fails, as on a device error.
      if (isStaged(this) && (staged += 1) === 2)
        throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
      return realSync.call(this);
    });

    await expectOneFailedOfThree(await postBulk(t.url, bodyOf(bigFiles)));
  });
});

/** One of the three files failed, alone: the other two landed, and no staged bytes are left. */
async function expectOneFailedOfThree(response: Response): Promise<void> {
  expect(response.status).toBe(207);
  const answer = (await response.json()) as { files: Array<{ name: string; status: string }> };
  expect(answer.files.map((file) => file.status).sort()).toEqual(['failed', 'landed', 'landed']);
  const landed = answer.files.filter((file) => file.status === 'landed').map((file) => file.name);
  expect(await listFiles(t!.dir)).toEqual(landed.sort());
  expect(await stagedPartsLeft(t!.dir)).toEqual([]);
}
