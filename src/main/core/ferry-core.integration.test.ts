import { mkdir, readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryPersistence } from '../../engine/sender/queue-persistence';
import { defaultSettings } from '../../shared/settings';
import type { UploadJob } from '../../shared/upload-job';
import { makeTempDir, removeDir, sha256File, writeRandomFile } from '../../../test/support/files';
import { createFerryCore, type FerryCore } from './ferry-core';
import { createMemoryKeyValueStore, type KeyValueStore } from './key-value-store';

const KiB = 1024;
const MiB = 1024 * KiB;
let base: string | undefined;
const cores: FerryCore[] = [];

afterEach(async () => {
  await Promise.all(cores.splice(0).map((core) => core.close()));
  await removeDir(base);
  base = undefined;
});

async function setup() {
  base = await makeTempDir('core');
  const received = join(base, 'received');
  const sources = join(base, 'sources');
  await mkdir(sources);
  return { received, sources, settings: createMemoryKeyValueStore(), persistence: createMemoryPersistence() };
}

function makeCore(options: {
  settings: KeyValueStore;
  persistence: ReturnType<typeof createMemoryPersistence>;
  received: string;
}): FerryCore {
  const core = createFerryCore({
    windowOrigins: [],
    settings: options.settings,
    queuePersistence: options.persistence,
    defaultReceiveFolder: options.received,
    receiver: { durable: false },
    pool: { retryDelays: [50, 100, 200] },
  });
  cores.push(core);
  return core;
}

async function send(core: FerryCore, paths: string[]): Promise<UploadJob[]> {
  const { added } = await core.queue.add(paths, core.target());
  core.pool.start();
  await core.pool.whenIdle();
  return added.map((job) => core.queue.get(job.id)!);
}

describe('ferry core (real receiver and pool on loopback)', () => {
  it('a file added through the core lands in the receive folder with the same sha256', async () => {
    const env = await setup();
    const source = join(env.sources, 'movie.bin');
    const digest = await writeRandomFile(source, 3 * MiB + 17);
    const core = makeCore(env);
    await core.start();
    const info = core.receiverInfo();
    expect(info.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.receiveFolder).toBe(env.received);
    // Port 0 in settings: the picked port is kept for the next launch.
    expect(core.settings.get().receiverPort).toBe(info.port);
    expect(core.target()).toEqual({
      endpoint: `${info.origin}/files/`,
      headers: { authorization: `Bearer ${info.token}` },
    });
    const [job] = await send(core, [source]);
    expect(job).toMatchObject({ status: 'completed', acknowledged: job!.size });
    expect(await sha256File(join(env.received, 'movie.bin'))).toBe(digest);
  });

  it('a restart restores the queue: done, paused and failed exactly, an in-flight upload resumes', async () => {
    const env = await setup();
    const paths = {
      done: join(env.sources, 'done.bin'),
      paused: join(env.sources, 'paused.bin'),
      failed: join(env.sources, 'failed.bin'),
      live: join(env.sources, 'live.bin'),
    };
    for (const path of [paths.done, paths.paused, paths.failed]) await writeRandomFile(path, 64 * KiB);
    const liveDigest = await writeRandomFile(paths.live, 4 * MiB);
    env.settings.set('settings', { ...defaultSettings(), chunkSizeBytes: 256 * KiB, rateLimitBytesPerSecond: MiB });

    const first = makeCore(env);
    await first.start();
    const { port, token } = first.receiverInfo();
    const [done] = await send(first, [paths.done]);
    const { added } = await first.queue.add([paths.paused, paths.failed, paths.live], first.target());
    const [paused, failed, live] = added;
    first.pool.pause(paused!.id);
    first.queue.update(failed!.id, {
      status: 'failed',
      error: { code: 'HTTP_403', message: 'Forbidden' },
      attempts: 3,
    });
    first.pool.start();
    await vi.waitFor(() => expect(first.queue.get(live!.id)!.acknowledged).toBeGreaterThan(0), { timeout: 10_000 });
    await first.close();
    const saved = structuredClone(env.persistence.state!.jobs);
    const savedLive = saved.find((job) => job.id === live!.id)!;
    expect(savedLive.acknowledged).toBeGreaterThan(0);
    expect(savedLive.acknowledged).toBeLessThan(4 * MiB);
    // As after a crash: the job was still marked running when the process died.
    env.persistence.state!.jobs.find((job) => job.id === live!.id)!.status = 'running';
    env.settings.set('settings', { ...(env.settings.get('settings') as object), rateLimitBytesPerSecond: null });

    const second = makeCore(env);
    await second.start();
    expect(second.receiverInfo().port).toBe(port);
    expect(second.receiverInfo().token).not.toBe(token);
    const byId = (id: string) => second.queue.get(id)!;
    expect(byId(done!.id)).toEqual(saved.find((job) => job.id === done!.id));
    // Paused and failed keep everything; only the per-launch token in their target is renewed.
    for (const id of [paused!.id, failed!.id])
      expect(byId(id)).toEqual({ ...saved.find((job) => job.id === id), target: second.target() });
    expect(byId(paused!.id).status).toBe('paused');
    expect(byId(failed!.id)).toMatchObject({ status: 'failed', attempts: 3, error: { code: 'HTTP_403' } });
    await second.pool.whenIdle();
    // Resumed where it stopped: the same upload (or part) URL, not a new upload from byte 0.
    const resumedFrom = savedLive.parts?.[0]?.url ?? savedLive.uploadUrl;
    expect(resumedFrom).toBeDefined();
    const finished = byId(live!.id);
    expect(finished.status).toBe('completed');
    expect(finished.parts?.[0]?.url ?? finished.uploadUrl).toBe(resumedFrom);
    expect(await sha256File(join(env.received, 'live.bin'))).toBe(liveDigest);
  });

  it('falls back to a free port when the stored one is taken, and stores it', async () => {
    const env = await setup();
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const taken = (blocker.address() as { port: number }).port;
    try {
      env.settings.set('settings', { ...defaultSettings(), receiverPort: taken });
      const core = makeCore(env);
      await core.start();
      expect(core.receiverInfo().port).not.toBe(taken);
      expect(core.settings.get().receiverPort).toBe(core.receiverInfo().port);
      expect((env.settings.get('settings') as { receiverPort: number }).receiverPort).toBe(core.receiverInfo().port);
    } finally {
      await new Promise((done) => blocker.close(done));
    }
  });

  it('applies concurrency and the rate limit live, and a new receive folder on the same port', async () => {
    const env = await setup();
    const core = makeCore(env);
    await core.start();
    const { port, token } = core.receiverInfo();
    const changes: unknown[] = [];
    core.onReceiverChange((receiver) => changes.push(receiver.dir));
    const setConcurrency = vi.spyOn(core.pool, 'setConcurrency');
    await core.updateSettings({ concurrency: 2, rateLimitBytesPerSecond: 64 * KiB });
    expect(setConcurrency).toHaveBeenCalledWith(2);
    expect(core.pool.limiter.rate).toBe(64 * KiB);
    expect(changes).toEqual([]);

    const elsewhere = join(base!, 'elsewhere');
    await core.updateSettings({ receiveFolder: elsewhere, rateLimitBytesPerSecond: null });
    expect(core.receiverInfo()).toMatchObject({ port, token, receiveFolder: elsewhere });
    expect(changes).toEqual([elsewhere]);
    const source = join(env.sources, 'after.bin');
    const digest = await writeRandomFile(source, 100 * KiB);
    await send(core, [source]);
    expect(await sha256File(join(elsewhere, 'after.bin'))).toBe(digest);
    expect(await readdir(env.received).catch(() => [])).not.toContain('after.bin');
  });

  it('a new chunk size applies to the next transfers, and an unusable receive folder rolls back', async () => {
    const env = await setup();
    const core = makeCore(env);
    await core.start();
    await core.updateSettings({ chunkSizeBytes: 512 * KiB, parallelParts: 2 });
    const source = join(env.sources, 'parts.bin');
    const digest = await writeRandomFile(source, 2 * MiB);
    const [job] = await send(core, [source]);
    // Two parts in flight (tus concatenation): the new setting reached the rebuilt pool.
    expect(job?.parts?.length).toBe(2);
    expect(await sha256File(join(env.received, 'parts.bin'))).toBe(digest);

    const blockerFile = join(env.sources, 'not-a-folder');
    await writeRandomFile(blockerFile, 1);
    await expect(core.updateSettings({ receiveFolder: join(blockerFile, 'inside') })).rejects.toMatchObject({
      code: 'IPC_FAILED',
    });
    expect(core.settings.get().receiveFolder).toBe('');
    expect(core.receiverInfo().receiveFolder).toBe(env.received);
  });
});
