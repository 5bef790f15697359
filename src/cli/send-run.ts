// The sending itself, loaded by send.ts only after the arguments parsed: `--help` and a usage error
// never pay for loading the engine (got, zod, the tus client).
import { createDigestPool } from '../engine/crypto/digest-pool';
import { createJsonFilePersistence, createTusClient, createUploadPool, createUploadQueue } from '../engine/sender';
import type { ProgressEvent } from '../shared/progress-event';
import { startedByNpm, watchParent } from './parent-watch';
import { createTerminalProgress } from './terminal-progress';

export interface SendOptions {
  to: string;
  token?: string;
  concurrency: number;
  chunkSize: number;
  parallel: number;
  limitRate?: number;
  stallTimeout: number;
  checksum: boolean;
  state: string;
  json: boolean;
  allowDuplicates: boolean;
  growing: boolean;
  growingQuiet: number;
}

export async function runSend(paths: string[], opts: SendOptions): Promise<void> {
  const target = { endpoint: opts.to, ...(opts.token ? { headers: { authorization: `Bearer ${opts.token}` } } : {}) };
  // Nothing else runs while the files are added: blocking stats cost a sixth of the others' CPU.
  const queue = createUploadQueue(createJsonFilePersistence(opts.state), { blockingStats: true });
  await queue.restore();
  const { added, duplicates, skipped } = await queue.add(paths, target, {
    allowDuplicates: opts.allowDuplicates,
    growing: opts.growing,
  });
  for (const entry of skipped) console.error(`ferry send: skipped ${entry.path}: ${entry.reason}`);
  if (skipped.length > 0 && added.length === 0 && duplicates.length === 0) process.exit(2);

  // This run's jobs: the ones just added plus unfinished ones of the same files (a resumed run).
  const wanted = new Set(added.map((job) => job.id));
  // A Set: a resumed run of thousands of files has as many duplicates as queued jobs.
  const duplicatePaths = new Set(duplicates);
  for (const job of queue.list())
    if (duplicatePaths.has(job.path) && job.target.endpoint === target.endpoint) wanted.add(job.id);
  for (const job of queue.list()) {
    if (!wanted.has(job.id) && job.status === 'queued') queue.update(job.id, { status: 'paused' });
    if (wanted.has(job.id) && (job.status === 'failed' || job.status === 'paused'))
      queue.update(job.id, { status: 'queued', error: undefined, attempts: 0 });
  }
  const mine = () => queue.list().filter((job) => wanted.has(job.id));

  const pool = createUploadPool(queue, createTusClient(), {
    concurrency: opts.concurrency,
    chunkSize: opts.chunkSize,
    parallel: opts.parallel,
    rateLimit: opts.limitRate ?? null,
    stallTimeoutMs: opts.stallTimeout,
    growingQuietMs: opts.growingQuiet,
    checksum: opts.checksum,
  });
  // A file sent before counts only once the target confirms it still has it (HEAD); lost, it goes again.
  for (const job of mine()) if (job.status === 'completed') pool.recheck(job.id);
  const started = performance.now();
  const isMine = (job: { id: string }) => wanted.has(job.id);
  const display = opts.json
    ? undefined
    : createTerminalProgress({
        running: () =>
          pool
            .activeIds()
            .filter((id) => wanted.has(id))
            .map((id) => queue.get(id))
            .filter((job) => job !== undefined),
        job: (id) => queue.get(id),
        overall: () => pool.overall(isMine),
        latest: (id) => pool.hub.get(id),
      });
  /** A landed file's event names its sha256, and whether the receiver confirmed it (it checked that digest). */
  function withLandedSha256(event: ProgressEvent): ProgressEvent {
    const job = event.status === 'completed' ? queue.get(event.uploadId) : undefined;
    if (!job?.sha256) return event;
    return {
      ...event,
      context: { ...event.context, sha256: job.sha256, sha256Confirmed: job.sha256Confirmed === true },
    };
  }
  if (opts.json)
    pool.hub.subscribe(
      (event) => wanted.has(event.uploadId) && process.stdout.write(`${JSON.stringify(withLandedSha256(event))}\n`),
    );
  else display!.start();

  let interrupted = false;
  const interrupt = () => {
    if (interrupted) return;
    interrupted = true;
    void pool.close().then(() => process.exit(130));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, interrupt);
  // Under `npm run`, a SIGTERM to npm can end the shell between us without reaching this process.
  if (startedByNpm()) watchParent(interrupt);

  pool.start();
  await pool.whenIdle();
  if (interrupted) await new Promise(() => undefined);
  display?.stop();
  const seconds = (performance.now() - started) / 1000;

  // Only for jobs a queue kept from before the pool recorded every landed file's sha256.
  const digests = createDigestPool();
  const sha256Of = async (path: string) => (await digests.digestFile('sha256', path)).toString('hex');

  const jobs = mine();
  const failed = jobs.filter((job) => job.status !== 'completed');
  const alreadyThere = new Set(
    jobs.filter((job) => job.status === 'completed' && pool.outcome(job.id) === 'already-there'),
  );
  const statusOf = (job: (typeof jobs)[number]) => (alreadyThere.has(job) ? 'already-there' : job.status);
  if (opts.json) {
    const files = [];
    for (const job of jobs)
      files.push({
        path: job.path,
        name: job.relativePath ?? job.name,
        size: job.size,
        status: statusOf(job),
        url: job.uploadUrl,
        sha256: job.status === 'completed' ? (job.sha256 ?? (await sha256Of(job.path))) : undefined,
        // True only when the receiver's answer named this sha256 as the one it checked (Ferry's receiver).
        sha256Confirmed: job.status === 'completed' ? job.sha256Confirmed === true : undefined,
        error: job.error,
      });
    // A path that could not be read is a failed file too, not just a warning.
    for (const entry of skipped)
      files.push({
        path: entry.path,
        name: entry.path,
        size: 0,
        status: 'failed',
        url: undefined,
        sha256: undefined,
        sha256Confirmed: undefined,
        error: { code: 'SOURCE_UNREADABLE', message: entry.reason },
      });
    // Bytes sent in this run: a file already there cost none.
    const bytes = jobs.reduce((sum, job) => sum + (statusOf(job) === 'completed' ? job.size : 0), 0);
    process.stdout.write(
      `${JSON.stringify({ type: 'summary', files, completed: jobs.length - failed.length, alreadyThere: alreadyThere.size, failed: failed.length + skipped.length, bytes, seconds: Number(seconds.toFixed(3)) })}\n`,
    );
  } else {
    for (const job of failed) console.error(`✗ ${job.relativePath ?? job.name}: ${job.error?.message ?? job.status}`);
    const there = alreadyThere.size > 0 ? `, ${alreadyThere.size} already there,` : '';
    console.log(
      `${jobs.length - failed.length - alreadyThere.size}/${jobs.length + skipped.length} files sent${there} in ${seconds.toFixed(1)} s`,
    );
  }
  await pool.close();
  await digests.close();
  process.exit(failed.length + skipped.length > 0 ? 1 : 0);
}
