// A host name that does not resolve: a typo fails quickly with HOST_NOT_FOUND, while a host that has
// answered before and then stops resolving (a laptop losing its network) waits offline.
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import type { ProgressEvent } from '../../shared/progress-event';
import { createReceiver, type Receiver } from '../receiver/server';
import { createMemoryPersistence } from './queue-persistence';
import { createTusClient, type TusClient, type TusTarget } from './tus-client';
import { createUploadPool, type UploadPool } from './upload-pool';
import { createUploadQueue } from './upload-queue';
import {
  KiB,
  MiB,
  makeTempDir,
  removeDir,
  sha256,
  sha256File,
  startTinyTus,
  writeRandomFile,
  type TinyTusServer,
} from '../../../test/support/sender-test-kit';

let dir: string | undefined;
let receiver: Receiver | undefined;
let server: TinyTusServer | undefined;
let pool: UploadPool | undefined;
afterEach(async () => {
  await pool?.close();
  await receiver?.close();
  await server?.close();
  await removeDir(dir);
  pool = receiver = server = dir = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** `promise`, or a rejection naming `what` after `ms`: the old behaviour waited forever. */
const within = <T>(ms: number, promise: Promise<T>, what: string) =>
  Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`timed out waiting for ${what}`)))]);

it('fails a job to a host that does not resolve with HOST_NOT_FOUND within seconds; the other jobs complete, and retry() runs it again', async () => {
  dir = await makeTempDir('host-not-found');
  const typo = join(dir, 'typo.bin');
  await writeRandomFile(typo, 100 * KiB);
  const hashes = {
    'a.bin': await writeRandomFile(join(dir, 'a.bin'), 1 * MiB),
    'b.bin': await writeRandomFile(join(dir, 'b.bin'), 300 * KiB),
  };
  receiver = createReceiver({ dir: join(dir, 'received'), token: null, logger: false, durable: false });
  const { url } = await receiver.listen();
  const queue = createUploadQueue(createMemoryPersistence());
  // The .invalid TLD never resolves (RFC 6761). It goes first, and one file runs at a time: a pool
  // that went offline for it would never start the others.
  const [added] = (await queue.add([typo], { endpoint: 'http://no-such-host.invalid:1/files/' })).added;
  const job = () => queue.get(added!.id);
  await queue.add([join(dir, 'a.bin'), join(dir, 'b.bin')], { endpoint: `${url}/files/` });
  pool = createUploadPool(queue, createTusClient(), {
    concurrency: 1,
    chunkSize: 256 * KiB,
    retryDelays: [0, 50, 100],
    maxAttempts: 30,
    probeIntervalMs: 100,
  });
  const events: ProgressEvent[] = [];
  pool.hub.subscribe((event) => void (event.uploadId === added!.id && events.push(event)));
  const startedAt = Date.now();
  pool.start();

  await vi.waitFor(() => expect(job()!.status).toBe('failed'), { timeout: 5_000, interval: 20 });
  expect(Date.now() - startedAt).toBeLessThan(5_000);
  expect(job()!.error?.code).toBe('HOST_NOT_FOUND');
  expect(job()!.error?.message).toContain('no-such-host.invalid');
  // A few tries, not one and not forever.
  expect(job()!.attempts).toBe(3);
  expect(events.at(-1)).toMatchObject({ status: 'failed', errorCode: 'HOST_NOT_FOUND' });
  expect(events.some((event) => event.status === 'paused')).toBe(false);

  await within(10_000, pool.whenIdle(), 'the other jobs');
  for (const [name, hash] of Object.entries(hashes)) {
    expect(queue.list().find((other) => other.name === name)?.status, name).toBe('completed');
    expect(await sha256File(join(dir, 'received', name)), name).toBe(hash);
  }

  // Final like any final error: the user's retry runs it again, with the same bounded tries.
  pool.retry(added!.id);
  expect(job()!.status).not.toBe('failed');
  await vi.waitFor(() => expect(job()!.status).toBe('failed'), { timeout: 5_000, interval: 20 });
  expect(job()).toMatchObject({ attempts: 3, error: { code: 'HOST_NOT_FOUND' } });
});

/**
 * The real client, except that while `down()` every request goes to a name that does not resolve, so
 * got fails with a genuine ENOTFOUND, as on a laptop whose resolver lost the network.
 */
function withResolverDown(client: TusClient, host: string, down: () => boolean): TusClient {
  const moved = (url: string) => (down() ? url.replace(`//${host}`, '//no-such-host.invalid') : url);
  const at = (target: TusTarget) => ({ ...target, endpoint: moved(target.endpoint) });
  return {
    options: (target) => client.options(at(target)),
    create: (target, request) => client.create(at(target), request),
    head: (target, url) => client.head(at(target), moved(url)),
    patch: (target, url, request) => client.patch(at(target), moved(url), request),
    terminate: (target, url) => client.terminate(at(target), moved(url)),
    ping: (target) => client.ping(at(target)),
    hasAnswered: (target) => client.hasAnswered(target),
    close: () => client.close(),
  };
}

it('waits offline, not failed, when a host that answered before stops resolving, and resumes once it does', async () => {
  dir = await makeTempDir('dns-lost');
  const hash = await writeRandomFile(join(dir, 'laptop.bin'), 2 * MiB);
  server = await startTinyTus();
  const queue = createUploadQueue(createMemoryPersistence());
  const [added] = (await queue.add([join(dir, 'laptop.bin')], { endpoint: server.endpoint })).added;
  const job = () => queue.get(added!.id);
  let down = false;
  const client = withResolverDown(createTusClient(), new URL(server.endpoint).host, () => down);
  pool = createUploadPool(queue, client, {
    chunkSize: 256 * KiB,
    rateLimit: 1 * MiB,
    retryDelays: [0, 20, 50],
    maxAttempts: 30,
    probeIntervalMs: 100,
  });
  const statuses: string[] = [];
  pool.hub.subscribe((event) => void statuses.push(event.status));
  pool.start();
  await vi.waitFor(() => expect(job()!.acknowledged).toBeGreaterThanOrEqual(256 * KiB), {
    timeout: 5_000,
    interval: 10,
  });

  down = true;
  await vi.waitFor(() => expect(job()).toMatchObject({ status: 'queued', phase: 'offline' }), {
    timeout: 5_000,
    interval: 10,
  });
  expect(job()!.error?.code).toBe('ENOTFOUND');
  // Far longer than a host-not-found verdict takes with these delays: still waiting, never failed.
  await sleep(1_000);
  expect(job()).toMatchObject({ status: 'queued', phase: 'offline' });
  expect(statuses).toContain('paused');
  expect(statuses).not.toContain('failed');

  down = false;
  await within(10_000, pool.whenIdle(), 'the upload to resume');
  expect(job()!.status).toBe('completed');
  // Resumed where it stood: the one upload it created holds the whole file.
  expect(server.uploads.size).toBe(1);
  const [upload] = server.uploads.values();
  expect(upload!.completed).toBe(true);
  expect(sha256(Buffer.concat(upload!.chunks))).toBe(hash);
});
