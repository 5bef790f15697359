// One folder of many small files sent the way `npm run send` sends it (a queue persisted as JSON, the
// pool), timed stretch by stretch: if any cost grew with the number of files done or queued, the later
// stretches would be slower than the first. Runs inside a sender child.
import { performance } from 'node:perf_hooks';
import {
  createJsonFilePersistence,
  createTusClient,
  createUploadPool,
  createUploadQueue,
} from '../../src/engine/sender';
import { runToCompletion } from './sender-ferry';
import type { ScaleFigures, SenderTask } from './sender-protocol';

type ScaleTask = Extract<SenderTask, { mode: 'scale' }>;

const cpuMs = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};

export async function sendAtScale(task: ScaleTask): Promise<ScaleFigures> {
  const queue = createUploadQueue(createJsonFilePersistence(task.statePath));
  const added = await queue.add([task.dir], { endpoint: task.endpoint, headers: task.headers });
  if (added.skipped.length > 0) throw new Error(`skipped ${added.skipped.length} path(s): ${added.skipped[0]!.reason}`);
  const files = added.added.length;
  const pool = createUploadPool(queue, createTusClient(), { concurrency: task.concurrency, stallTimeoutMs: 30_000 });
  // A mark at every `bucket`-th file landed: wall clock and this process's CPU.
  const marks = [{ at: performance.now(), cpu: cpuMs() }];
  let landed = 0;
  pool.hub.subscribe((event) => {
    if (event.status !== 'completed') return;
    landed += 1;
    if (landed % task.bucket === 0 || landed === files) marks.push({ at: performance.now(), cpu: cpuMs() });
  });
  await runToCompletion(queue, pool);
  const filesPerSecond: number[] = [];
  const cpuMsPerFile: number[] = [];
  for (let i = 1; i < marks.length; i++) {
    // The last stretch may be short; it counts only the files it had.
    const count = Math.min(task.bucket, files - (i - 1) * task.bucket);
    filesPerSecond.push(count / ((marks[i]!.at - marks[i - 1]!.at) / 1000));
    cpuMsPerFile.push((marks[i]!.cpu - marks[i - 1]!.cpu) / count);
  }
  const confirmed = queue.list().filter((job) => job.sha256Confirmed === true).length;
  return { files, confirmed, bucket: task.bucket, filesPerSecond, cpuMsPerFile };
}
