// Child process entry of the app benchmark: one headless main process per run,
// bundled and started on bare Node, measured whole (start-up included). The task
// comes in argv; 'ready' hands the window its /ws address; 'go' starts the send.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createUploadAdder } from '../../src/main/core/add-uploads';
import { composeHeadlessMain } from './app-core';
import { timeSaves } from './app-store';
import type { AppMessage, AppResult, AppTask, LoopFigures, ParentToApp } from './app-protocol';

const tickMs = 10;

function reply(message: AppMessage): void {
  if (!process.send) process.exit(1);
  process.send(message, () => process.exit(message.type === 'failed' ? 1 : 0));
}

// If the benchmark goes away, stop: nobody measures this process any more.
process.on('disconnect', () => process.exit(0));

function waitForGo(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: ParentToApp) => {
      if (message.type !== 'go') return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
  });
}

/** The histogram counts the tick itself; the delay is what lies beyond it. */
function loopFigures(loop: ReturnType<typeof monitorEventLoopDelay>): LoopFigures {
  const beyond = (ns: number) => (loop.count === 0 ? 0 : Math.max(0, ns / 1e6 - tickMs));
  return {
    p50Ms: beyond(loop.percentile(50)),
    p99Ms: beyond(loop.percentile(99)),
    maxMs: beyond(loop.max),
    samples: loop.count,
  };
}

async function send(task: Extract<AppTask, { mode: 'send' }>): Promise<AppResult> {
  const main = composeHeadlessMain(task);
  const { core } = main;
  await core.start();
  const startupMs = performance.now();
  // The restored queue goes out now, as it would to a window opened at launch, not into the drop's figures.
  main.pushes.flush();
  const { origin, token } = core.receiverInfo();
  const go = waitForGo();
  process.send?.({ type: 'ready', origin, token } satisfies AppMessage);
  await go;

  const loop = monitorEventLoopDelay({ resolution: tickMs });
  const savesBefore = main.saves();
  main.counter.start();
  loop.enable();
  const start = performance.now();
  const added = await createUploadAdder(core)([task.path]);
  if (added.skipped.length > 0) throw new Error(`${added.skipped.length} path(s) skipped: ${added.skipped[0]!.reason}`);
  await core.pool.whenIdle();
  main.pushes.flush();
  const sendMs = performance.now() - start;
  loop.disable();

  const jobs = core.queue.list();
  const result = {
    startupMs,
    sendMs,
    bytes: jobs.reduce((sum, job) => sum + job.size, 0),
    files: jobs.length,
    completed: jobs.filter((job) => job.status === 'completed').length,
    loop: loopFigures(loop),
    pushes: main.counter.figures(),
    saves: main.saves() - savesBefore,
  };
  main.pushes.stop();
  await core.close();
  const cpu = process.cpuUsage();
  // maxRSS is in KiB: the high-water mark of the whole process.
  return { ...result, cpuMs: (cpu.user + cpu.system) / 1000, peakRss: process.resourceUsage().maxRSS * 1024 };
}

async function run(task: AppTask): Promise<AppMessage> {
  if (task.mode === 'store') return { type: 'store', rows: await timeSaves(task) };
  return { type: 'result', result: await send(task) };
}

run(JSON.parse(process.argv[2] ?? '{}') as AppTask).then(reply, (error: unknown) =>
  reply({ type: 'failed', error: error instanceof Error ? error.message : String(error) }),
);
