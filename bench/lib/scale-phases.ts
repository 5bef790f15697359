// Parent side of the sender benchmark's scale phases: a held queue of many files (added and persisted
// in one child, restored in another, as the next run would), and one long send to Ferry's receiver.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createScaleSet, createTinySet, countFiles } from './sender-fixtures';
import { runSenderChild } from './sender-process';
import { formatQueue, formatRestore, formatScale, type QueueOutcome, type ScaleOutcome } from './scale-report';
import { startServerProcess } from './server-process';

export interface ScaleContext {
  workDir: string;
  headers: Record<string, string>;
  bundledEntry?: string;
  profileDir?: string;
  nodeFlags?: string[];
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function runQueuePhase(ctx: ScaleContext, files: number): Promise<QueueOutcome> {
  const dir = join(ctx.workDir, 'queue-src', 'tiny');
  const statePath = join(ctx.workDir, 'queue-state.json');
  const child = {
    bundledEntry: ctx.bundledEntry,
    profileDir: ctx.profileDir,
    nodeFlags: ctx.nodeFlags,
    timeoutMs: 120_000 + files * 10,
  };
  const outcome: QueueOutcome = {};
  try {
    const started = Date.now();
    await createTinySet(dir, files);
    console.log(`Queue: ${files} tiny files in one folder, made in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // No server needed: adding and holding jobs does not touch the network.
    outcome.held = await runSenderChild(
      { mode: 'queue', endpoint: 'http://127.0.0.1:9/files/', headers: ctx.headers, dir, statePath },
      { ...child, profileName: 'queue' },
    );
    console.log(formatQueue(outcome.held));
    if (outcome.held.files !== files)
      throw new Error(`the queue holds ${outcome.held.files} jobs, ${files} were added`);
    outcome.restored = await runSenderChild({ mode: 'restore', statePath }, { ...child, profileName: 'restore' });
    console.log(formatRestore(outcome.restored));
    if (outcome.restored.restoredJobs !== files)
      throw new Error(`restored ${outcome.restored.restoredJobs} of ${files} queued jobs`);
  } catch (error) {
    outcome.error = message(error);
    console.log(`queue  FAILED: ${outcome.error}`);
  } finally {
    await rm(join(ctx.workDir, 'queue-src'), { recursive: true, force: true });
  }
  return outcome;
}

export async function runScalePhase(
  ctx: ScaleContext,
  spec: { files: number; size: number; concurrency: number; bucket: number },
): Promise<ScaleOutcome> {
  // The folder's name is the top of the tree on the receiver: the files land in <receive dir>/scale/.
  const dir = join(ctx.workDir, 'scale-src', 'scale');
  const recvDir = join(ctx.workDir, 'recv-scale');
  const outcome: ScaleOutcome = {};
  try {
    const started = Date.now();
    await createScaleSet(dir, spec.files, spec.size);
    console.log(
      `\nScale: ${spec.files} files of ${spec.size} bytes, made in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `${spec.concurrency} at once to Ferry's receiver (durable)`,
    );
    const server = await startServerProcess('ferry', recvDir);
    try {
      await server.mark();
      outcome.result = await runSenderChild(
        {
          mode: 'scale',
          endpoint: server.endpoint,
          headers: ctx.headers,
          dir,
          statePath: join(ctx.workDir, 'scale-state.json'),
          concurrency: spec.concurrency,
          bucket: spec.bucket,
        },
        {
          bundledEntry: ctx.bundledEntry,
          profileDir: ctx.profileDir,
          nodeFlags: ctx.nodeFlags,
          profileName: 'scale',
          timeoutMs: 120_000 + spec.files * 100,
        },
      );
      outcome.server = await server.stats();
    } finally {
      await server.close();
    }
    console.log(formatScale(outcome.result, outcome.server));
    const landed = await countFiles(join(recvDir, 'scale'));
    if (landed.files !== spec.files || landed.bytes !== spec.files * spec.size)
      throw new Error(`${landed.files} of ${spec.files} files landed (${landed.bytes} bytes)`);
  } catch (error) {
    outcome.error = message(error);
    console.log(`scale  FAILED: ${outcome.error}`);
  } finally {
    await rm(join(ctx.workDir, 'scale-src'), { recursive: true, force: true });
    await rm(recvDir, { recursive: true, force: true });
  }
  return outcome;
}
