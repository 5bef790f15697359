// Child process entry for one sender run: receives a SenderTask over IPC,
// does it, measures its own RSS and CPU, answers once and exits. A process per
// run keeps each sender's memory its own and free of the previous run's heap.
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { ParentToSender, SenderMessage, SenderResult, SenderTask } from './sender-protocol';

const sampleMs = 100;
// Read before any sender is imported: what Node (and tsx, when used) cost on their own.
const rssFloor = process.memoryUsage.rss();
const collect = () => (globalThis as { gc?: () => void }).gc?.();

function reply(message: SenderMessage): void {
  if (!process.send) process.exit(1);
  process.send(message, () => process.exit(message.type === 'result' ? 0 : 1));
}

// If the benchmark goes away, stop sending to a server nobody measures.
process.on('disconnect', () => process.exit(0));

/** Runs `work` between two GC'd RSS readings, sampling the peak in between. */
async function measured<T>(
  work: () => Promise<T>,
): Promise<{ value: T; figures: Omit<SenderResult, 'bytes' | 'files' | 'queue' | 'rssFloor'> }> {
  collect();
  const heapBase = process.memoryUsage().heapUsed;
  const rssBase = process.memoryUsage.rss();
  let rssPeak = rssBase;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  }, sampleMs);
  const cpu = process.cpuUsage();
  const start = performance.now();
  try {
    const value = await work();
    const ms = performance.now() - start;
    const used = process.cpuUsage(cpu);
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    collect();
    const heapEnd = process.memoryUsage().heapUsed;
    const rssEnd = process.memoryUsage.rss();
    return {
      value,
      figures: { ms, rssBase, rssPeak, rssEnd, heapBase, heapEnd, cpuMs: (used.user + used.system) / 1000 },
    };
  } finally {
    clearInterval(sampler);
  }
}

async function sizeOf(paths: string[]): Promise<number> {
  let total = 0;
  for (const path of paths) total += (await stat(path)).size;
  return total;
}

async function run(task: SenderTask): Promise<SenderResult> {
  if (task.mode === 'queue') {
    const { holdQueue } = await import('./sender-ferry');
    // rssEnd is read while the queue is still referenced: what holding it costs.
    const { value, figures } = await measured(() => holdQueue(task.endpoint, task.headers, task.dir, task.statePath));
    return { ...figures, rssFloor, bytes: 0, files: value.figures.jobs, queue: value.figures };
  }
  if (task.mode === 'restore') {
    const { restoreQueue } = await import('./sender-ferry');
    const { value, figures } = await measured(() => restoreQueue(task.statePath));
    const jobs = value.list().length;
    return { ...figures, rssFloor, bytes: 0, files: jobs, restoredJobs: jobs };
  }
  if (task.mode === 'scale') {
    const { sendAtScale } = await import('./sender-scale');
    const { value, figures } = await measured(() => sendAtScale(task));
    return { ...figures, rssFloor, bytes: 0, files: value.files, scale: value };
  }
  // Load only the sender under test, so neither pays for the other's code.
  const send =
    task.variant.kind === 'ferry'
      ? (await import('./sender-ferry')).sendWithFerry
      : (await import('./sender-tus-js')).sendWithTusJs;
  const bytes = await sizeOf(task.paths);
  await send(task, task.warmUpPaths);
  await handshake();
  const { figures } = await measured(() => send(task, task.paths));
  return { ...figures, rssFloor, bytes, files: task.paths.length };
}

/** Lets the parent reset the receiver's counters between the warm-up and the timed work. */
function handshake(): Promise<void> {
  return new Promise((resolve) => {
    const onGo = (message: ParentToSender) => {
      if (message.mode !== 'go') return;
      process.off('message', onGo);
      resolve();
    };
    process.on('message', onGo);
    process.send?.({ type: 'ready' } satisfies SenderMessage);
  });
}

process.once('message', (task: ParentToSender) => {
  if (task.mode === 'go') return reply({ type: 'failed', error: 'got "go" before a task' });
  run(task).then(
    (result) => reply({ type: 'result', result }),
    (error: unknown) => reply({ type: 'failed', error: error instanceof Error ? error.message : String(error) }),
  );
});
