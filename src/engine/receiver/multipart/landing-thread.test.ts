import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeTempDir, removeDir } from '../../../../test/support/files';
import { createLandingThread, type LandingFile, type LandingThread } from './landing-thread';

const faultyFs = path.resolve(import.meta.dirname, '../../../../test/support/faulty-fs.cjs');

let base: string;
let staging: string;
let thread: LandingThread | undefined;
beforeEach(async () => {
  base = await makeTempDir('landing');
  staging = path.join(base, 'state', 'multipart');
});
afterEach(async () => {
  delete process.env.FERRY_FAULTY_FS;
  await thread?.close();
  thread = undefined;
  await removeDir(base);
});

/** A thread whose file calls go through test/support/faulty-fs.cjs with `cue`. */
function faultyThread(cue: Record<string, unknown>): LandingThread {
  // Read by the thread as it starts, on its first `land`.
  process.env.FERRY_FAULTY_FS = JSON.stringify(cue);
  return (thread = createLandingThread({ fsModule: faultyFs }));
}

const fileOf = (name: string, text: string, linkTo: string | null = path.join(base, name)): LandingFile => ({
  stagedPath: path.join(staging, `${name}.part`),
  // In pieces, as a part arrives.
  chunks: [Buffer.from(text.slice(0, 2)), Buffer.from(''), Buffer.from(text.slice(2))],
  size: Buffer.byteLength(text),
  ...(linkTo === null ? {} : { linkTo }),
});
const stagedLeft = async () => (existsSync(staging) ? await readdir(staging) : []);

describe('landing thread', () => {
  it('writes, syncs and links every file under its name, making the staging folder on first use', async () => {
    thread = createLandingThread();
    const files = [fileOf('a.txt', 'alpha'), fileOf('b.txt', 'bravo bravo'), fileOf('c.txt', '')];
    expect(await thread.land(files, true)).toEqual([{ linked: true }, { linked: true }, { linked: true }]);
    expect(await readFile(path.join(base, 'a.txt'), 'utf8')).toBe('alpha');
    expect(await readFile(path.join(base, 'b.txt'), 'utf8')).toBe('bravo bravo');
    expect(await readFile(path.join(base, 'c.txt'), 'utf8')).toBe('');
    expect(await stagedLeft()).toEqual([]);
  });

  it('leaves a file staged, whole, when its name is taken or none is given; what was there stays', async () => {
    thread = createLandingThread();
    await writeFile(path.join(base, 'taken.txt'), 'first');
    const outcomes = await thread.land([fileOf('taken.txt', 'second'), fileOf('free.txt', 'third', null)], true);
    expect(outcomes).toEqual([{ staged: true, linkError: 'EEXIST' }, { staged: true }]);
    expect(await readFile(path.join(base, 'taken.txt'), 'utf8')).toBe('first');
    expect(await readFile(path.join(staging, 'taken.txt.part'), 'utf8')).toBe('second');
    expect(await readFile(path.join(staging, 'free.txt.part'), 'utf8')).toBe('third');
  });

  it('refuses a staged name that exists, and leaves that file as it was', async () => {
    thread = createLandingThread();
    await mkdir(staging, { recursive: true });
    await writeFile(path.join(staging, 'same.txt.part'), 'earlier');
    const [outcome] = await thread.land([fileOf('same.txt', 'later')], true);
    expect(outcome).toMatchObject({ error: { code: 'EEXIST' } });
    expect(await readFile(path.join(staging, 'same.txt.part'), 'utf8')).toBe('earlier');
    expect(existsSync(path.join(base, 'same.txt'))).toBe(false);
  });

  it('writes every byte however short the writes', async () => {
    faultyThread({ shortWrites: 3 });
    const text = 'hello small world, in pieces of three bytes';
    expect(await thread!.land([fileOf('short.txt', text)], true)).toEqual([{ linked: true }]);
    expect(await readFile(path.join(base, 'short.txt'), 'utf8')).toBe(text);
  });

  it('leaves nothing behind when a write fails, and says why', async () => {
    faultyThread({ failWrite: 'ENOSPC' });
    const [outcome] = await thread!.land([fileOf('full.txt', 'no room')], true);
    expect(outcome).toMatchObject({ error: { code: 'ENOSPC', syscall: 'write' } });
    expect(await stagedLeft()).toEqual([]);
    expect(existsSync(path.join(base, 'full.txt'))).toBe(false);
  });

  it('a file whose fsync fails fails alone: it is not linked and its staged bytes are removed', async () => {
    faultyThread({ failFsyncOf: 2 });
    const files = [fileOf('one.txt', '1'), fileOf('two.txt', '2'), fileOf('three.txt', '3')];
    const outcomes = await thread!.land(files, true);
    expect(outcomes[0]).toEqual({ linked: true });
    expect(outcomes[1]).toMatchObject({ error: { code: 'EIO', syscall: 'fsync' } });
    expect(outcomes[2]).toEqual({ linked: true });
    expect((await readdir(base)).sort()).toEqual(['one.txt', 'state', 'three.txt']);
    expect(await stagedLeft()).toEqual([]);
  });

  it('links nothing until the files’ fsyncs are through, and runs them side by side', async () => {
    const log = path.join(base, 'fsyncs.log');
    const release = path.join(base, 'release');
    faultyThread({ fsyncLog: log, holdFsyncUntil: release });
    const files = [fileOf('x.txt', 'x'), fileOf('y.txt', 'y')];
    const landing = thread!.land(files, true);
    // Both fsyncs start before either ends.
    await vi.waitFor(async () => expect(existsSync(log) && (await readFile(log, 'utf8'))).toBe('1\n2\n'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(path.join(base, 'x.txt')) || existsSync(path.join(base, 'y.txt'))).toBe(false);
    await writeFile(release, '');
    expect(await landing).toEqual([{ linked: true }, { linked: true }]);
    expect(await readFile(path.join(base, 'y.txt'), 'utf8')).toBe('y');
  });

  it('does not fsync when the receiver is not durable', async () => {
    const log = path.join(base, 'fsyncs.log');
    faultyThread({ fsyncLog: log });
    expect(await thread!.land([fileOf('quick.txt', 'q')], false)).toEqual([{ linked: true }]);
    expect(existsSync(log)).toBe(false);
  });

  it('fails what is in flight when it is closed, and starts again on the next files', async () => {
    const release = path.join(base, 'release');
    faultyThread({ holdFsyncUntil: release });
    const failed = expect(thread!.land([fileOf('held.txt', 'h')], true)).rejects.toThrow(/closed/);
    await thread!.close();
    await failed;
    delete process.env.FERRY_FAULTY_FS;
    expect(await thread!.land([fileOf('after.txt', 'a')], true)).toEqual([{ linked: true }]);
  });
});
