import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach } from 'vitest';
import { createReceiver, type Receiver, type ReceiverOptions } from '../../src/engine/receiver/server';
import {
  createMemoryPersistence,
  createTusClient,
  createUploadPool,
  createUploadQueue,
  type PoolOptions,
  type UploadPool,
  type UploadQueue,
} from '../../src/engine/sender';
import type { UploadJob } from '../../src/shared/upload-job';
import { createFaultProxy, type FaultProxy } from './fault-proxy';
import { createScriptedFront, type ScriptedFront } from './scripted-front';

export const token = 'secret';
export const auth = { authorization: `Bearer ${token}` };

const dirs: string[] = [];

export async function tempDir(label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `ferry-sf-${label}-`));
  dirs.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
}

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function makeFile(
  dir: string,
  name: string,
  size: number,
): Promise<{ path: string; hash: string; size: number }> {
  const path = join(dir, name);
  const data = randomBytes(size);
  await writeFile(path, data);
  return { path, hash: sha256(data), size };
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** receiver ← scripted front ← fault proxy(s) ← sender */
export interface Stack {
  receiver: Receiver;
  /** The receive folder. */
  dir: string;
  front: ScriptedFront;
  proxy: FaultProxy;
  /** The tus endpoint through the proxy. */
  endpoint: string;
  /** Another proxy in front of the same front, for per-file faults. */
  extraProxy(): Promise<FaultProxy>;
  close(): Promise<void>;
}

export async function startStack(options: Partial<ReceiverOptions> = {}): Promise<Stack> {
  const dir = await tempDir('recv');
  const receiver = createReceiver({ dir, token, logger: false, idleTimeoutMs: 1_000, ...options });
  const { url } = await receiver.listen();
  const front = await createScriptedFront(url);
  const proxies = [await createFaultProxy({ port: front.port })];
  return {
    receiver,
    dir,
    front,
    proxy: proxies[0]!,
    endpoint: `${proxies[0]!.url}/files/`,
    async extraProxy() {
      const proxy = await createFaultProxy({ port: front.port });
      proxies.push(proxy);
      return proxy;
    },
    async close() {
      for (const proxy of proxies) await proxy.close();
      await front.close();
      await receiver.close();
    },
  };
}

/**
 * The stack of each test in a file: `start()` starts it, it is closed after the test, and the file's
 * temporary folders are removed after the last one.
 */
export function stackPerTest(): { start(options?: Partial<ReceiverOptions>): Promise<Stack> } {
  let current: Stack | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  afterAll(removeTempDirs);
  return {
    async start(options) {
      current = await startStack(options);
      return current;
    },
  };
}

/** Files that landed in the receive folder (state folder left out). */
export async function landedFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort();
}

export async function landedHash(dir: string, name: string): Promise<string | undefined> {
  try {
    return sha256(await readFile(join(dir, name)));
  } catch {
    return undefined;
  }
}

/** Short timeouts everywhere, so faults resolve in seconds. */
export function testPool(
  queue: UploadQueue,
  options: PoolOptions = {},
  client = createTusClient({ controlTimeoutMs: 1_500, connectTimeoutMs: 1_000 }),
): UploadPool {
  return createUploadPool(queue, client, {
    concurrency: 2,
    chunkSize: 64 * 1024,
    stallTimeoutMs: 1_000,
    retryDelays: [0, 50, 100],
    maxAttempts: 30,
    probeIntervalMs: 200,
    ...options,
  });
}

export async function memoryQueue(): Promise<UploadQueue> {
  const queue = createUploadQueue(createMemoryPersistence(), { saveDelayMs: 50 });
  await queue.restore();
  return queue;
}

/** A watched memory queue (see watchJobs) holding `paths`, sent to `endpoint` with the test token. */
export async function queueFiles(
  paths: string[],
  endpoint: string,
): Promise<{ queue: UploadQueue; samples: JobSample[] }> {
  const queue = await memoryQueue();
  const samples = watchJobs(queue);
  await queue.add(paths, { endpoint, headers: auth });
  return { queue, samples };
}

/**
 * Runs `queue` through a test pool until it is idle, closes the pool and returns the jobs as they
 * ended. `beforeStart` sees the pool before it starts, to subscribe to its progress hub.
 */
export async function runToIdle(
  queue: UploadQueue,
  options: PoolOptions = {},
  beforeStart?: (pool: UploadPool) => void,
): Promise<UploadJob[]> {
  const pool = testPool(queue, options);
  beforeStart?.(pool);
  pool.start();
  await pool.whenIdle();
  const jobs = [...queue.list()];
  await pool.close();
  return jobs;
}

export interface JobSample {
  at: number;
  id: string;
  status: UploadJob['status'];
  phase: UploadJob['phase'];
  acknowledged: number;
  /** Where the file's bytes go: its one part when sealed by a final upload, else the upload itself. */
  uploadUrl?: string;
  errorCode?: string;
}

/** Records the job after every update the pool makes: the view a UI polling the queue would get. */
export function watchJobs(queue: UploadQueue): JobSample[] {
  const samples: JobSample[] = [];
  const update = queue.update.bind(queue);
  queue.update = (id, patch) => {
    const job = update(id, patch);
    if (job)
      samples.push({
        at: performance.now(),
        id,
        status: job.status,
        phase: job.phase,
        acknowledged: job.acknowledged,
        uploadUrl: job.parts?.length === 1 ? job.parts[0]!.url : job.uploadUrl,
        errorCode: job.error?.code,
      });
    return job;
  };
  return samples;
}

/**
 * PATCH bytes the receiver kept per file, from the front's log (files above one chunk: their POST
 * carries none): what each 204 acknowledged, and of a PATCH that broke off, what the HEAD after it
 * shows was kept (Ferry's receiver keeps the bytes of a request without a per-chunk checksum).
 */
export function appendedBytes(front: ScriptedFront, file: string): number {
  const log = front.log.filter((e) => e.file === file);
  return log.reduce((sum, e, i) => {
    if (e.method !== 'PATCH' || e.offset === undefined) return sum;
    const end = e.status === 204 ? e.replyOffset : log.slice(i + 1).find((n) => n.method === 'HEAD')?.replyOffset;
    return end === undefined ? sum : sum + Math.max(0, end - e.offset);
  }, 0);
}
