// Interop under SIGKILL: tus-js-client resumes a 200 MB upload after the uploading process dies,
// and after the receiver process dies and comes back on the same port and folder.
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createReceiver, type Receiver } from '../../src/engine/receiver/server';
import type { ProgressEvent } from '../../src/shared/progress-event';
import { runUploader, startServe, type ChildRun } from './child-runner';
import {
  MiB,
  freePort,
  headUpload,
  makeTempDir,
  removeDir,
  sha256File,
  token,
  uploadWith,
  waitFor,
  writeRandomFile,
} from './fixtures';
import { pacedFileReader } from './paced-file-reader';

const size = 200 * MiB;
// Slow enough that the kill lands mid-upload even on a fast loopback: about 1.3 s to get there.
const pacedRate = 64 * MiB;
// 84 MiB: inside the eleventh 8 MiB chunk, so the receiver-kill case dies mid-PATCH, not between two.
const killAt = 84 * MiB;
// Generous: other suites may be loading the machine, and pacing only ever slows things further.
const slowWait = 90_000;

describe('tus-js-client resuming across SIGKILL', () => {
  let work: string;
  let source: string;
  let sourceHash: string;
  const dirs: string[] = [];
  const children: ChildRun[] = [];
  let receiver: Receiver | undefined;

  beforeAll(async () => {
    work = await makeTempDir('tus-js-resume');
    source = join(work, 'source.bin');
    sourceHash = await writeRandomFile(source, size);
  }, 120_000);

  afterEach(async () => {
    for (const child of children.splice(0)) await child.kill();
    await receiver?.close();
    receiver = undefined;
    for (const dir of dirs.splice(0)) await removeDir(dir);
  });

  afterAll(() => removeDir(work));

  async function receiveDir(label: string): Promise<string> {
    const dir = await makeTempDir(label);
    dirs.push(dir);
    return dir;
  }

  it('resumes from the server offset after the uploading process is killed', { timeout: 120_000 }, async () => {
    const dir = await receiveDir('client-kill');
    receiver = createReceiver({ dir, token, logger: false });
    const endpoint = `${(await receiver.listen()).url}/files/`;
    const events: ProgressEvent[] = [];
    receiver.hub.subscribe((event) => events.push(event));
    const config = {
      file: source,
      endpoint,
      token,
      storage: join(work, 'url-storage.json'),
      filename: 'after-client-kill.bin',
      chunkSize: null,
    };

    const first = runUploader({ ...config, bytesPerSecond: pacedRate });
    children.push(first);
    // Kill on the receiver's word (bytes stored), not the client's (bytes sent).
    let storedAtKill: number | undefined;
    const stopWatching = receiver.hub.subscribe((event) => {
      if (storedAtKill === undefined && event.offset >= killAt) {
        storedAtKill = event.offset;
        first.child.kill('SIGKILL');
      }
    });
    const firstExit = await first.exited;
    stopWatching();
    expect(firstExit.signal, first.stderr()).toBe('SIGKILL');
    expect(first.records().some((record) => record.type === 'success')).toBe(false);

    const firstPatch = first.records().find((record) => record.type === 'request' && record.method === 'PATCH');
    if (firstPatch?.type !== 'request') throw new Error(`first run sent no PATCH: ${first.lines.join('\n')}`);
    const uploadUrl = firstPatch.url;
    const id = uploadUrl.split('/').at(-1)!;
    // The receiver persists what the dead connection delivered and parks the upload.
    await waitFor(
      'the upload to pause',
      () => (receiver!.hub.get(id)?.status === 'paused' ? true : undefined),
      slowWait,
    );
    const parked = await headUpload(uploadUrl);
    expect(parked.status).toBe(200);
    expect(parked.offset).toBeGreaterThanOrEqual(storedAtKill!);
    expect(parked.offset).toBeLessThan(size);

    const mark = events.length;
    const second = runUploader(config);
    children.push(second);
    const secondExit = await second.exited;
    const records = second.records();
    expect(secondExit.code, `${second.lines.join('\n')}\n${second.stderr()}`).toBe(0);

    // Resumed through FileUrlStorage: same URL, no new upload, first PATCH at the parked offset.
    expect(records[0]).toEqual({ type: 'resuming', url: uploadUrl });
    expect(records.filter((record) => record.type === 'request' && record.method === 'POST')).toEqual([]);
    const resumedPatch = records.find((record) => record.type === 'request' && record.method === 'PATCH');
    expect(resumedPatch).toMatchObject({ url: uploadUrl, offset: String(parked.offset) });
    // The receiver's side of the same fact: its PATCH started at the parked offset, not at zero.
    const resumedRun = events.slice(mark).find((event) => event.uploadId === id && event.status === 'running');
    expect(resumedRun?.offset).toBe(parked.offset);
    expect(resumedRun!.offset).toBeGreaterThan(0);
    expect(await receiver.store.list()).toHaveLength(1);

    expect(await sha256File(join(dir, 'after-client-kill.bin'))).toBe(sourceHash);
  });

  it(
    'finishes after the receiver process is killed and restarted on the same port and folder',
    { timeout: 120_000 },
    async () => {
      const dir = await receiveDir('server-kill');
      const stateDir = join(dir, '.ferry', 'uploads');
      const port = await freePort();
      let server = await startServe(port, dir);
      children.push(server);

      const pace = { bytesPerSecond: pacedRate };
      type Phase = 'before-kill' | 'after-kill';
      let phase = 'before-kill' as Phase;
      const seen: { phase: Phase; method: string; offset: string | undefined }[] = [];
      const uploading = uploadWith(createReadStream(source), {
        endpoint: `${server.url}/files/`,
        chunkSize: 8 * MiB,
        metadata: { filename: 'after-receiver-kill.bin' },
        fileReader: pacedFileReader(pace),
        // About 30 s of ECONNREFUSED tolerated: a restart is a second or two, more on a loaded machine.
        retryDelays: [100, 250, 500, 1000, 1000, 2000, 2000, 3000, 3000, 5000, 5000, 5000],
        onBeforeRequest: (req) => {
          seen.push({ phase, method: req.getMethod(), offset: req.getHeader('Upload-Offset') });
        },
      });
      uploading.catch(() => undefined);

      // The data file's size is the receiver's offset: watch it, then kill mid-upload.
      const dataFile = await waitFor(
        'the data file',
        async () => {
          const names = await readdir(stateDir).catch(() => [] as string[]);
          const name = names.find((entry) => /^[A-Za-z0-9_-]+$/.test(entry) && entry !== 'quarantine');
          return name && join(stateDir, name);
        },
        slowWait,
      );
      const storedAtKill = await waitFor(
        '40 % stored',
        async () => {
          const { size: stored } = await stat(dataFile);
          return stored >= killAt ? stored : undefined;
        },
        slowWait,
      );
      await server.kill();
      phase = 'after-kill';
      const survived = (await stat(dataFile)).size;
      expect(survived).toBeGreaterThanOrEqual(storedAtKill);
      expect(survived).toBeLessThan(size);

      pace.bytesPerSecond = Infinity;
      server = await startServe(port, dir);
      children.push(server);
      const outcome = await uploading;

      // One upload, created before the kill and resumed after it from what the disk kept.
      expect(seen.filter((req) => req.method === 'POST')).toHaveLength(1);
      expect(seen.find((req) => req.method === 'POST')?.phase).toBe('before-kill');
      // Any PATCH after the kill can only have reached the restarted receiver.
      const resumedPatch = seen.find((req) => req.phase === 'after-kill' && req.method === 'PATCH');
      expect(resumedPatch?.offset).toBe(String(survived));
      expect(Number(resumedPatch?.offset)).toBeGreaterThan(0);
      expect(await headUpload(outcome.url)).toMatchObject({ status: 200, offset: size, length: size });

      expect(await sha256File(join(dir, 'after-receiver-kill.bin'))).toBe(sourceHash);
    },
  );
});
