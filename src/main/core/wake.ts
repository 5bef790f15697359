import type { UploadPool } from '../../engine/sender/upload-pool';
import type { UploadQueue } from '../../engine/sender/upload-queue';

/**
 * After the machine wakes from sleep, sockets opened before it are usually dead, and a transfer
 * would wait for its stall timer to notice. Pausing and resuming the running jobs aborts them at
 * once; they go back to the queue and resume from the offset the target confirms.
 */
export function restartRunningJobs(
  queue: Pick<UploadQueue, 'list'>,
  pool: Pick<UploadPool, 'pause' | 'resume'>,
): string[] {
  const running = queue
    .list()
    .filter((job) => job.status === 'running')
    .map((job) => job.id);
  for (const id of running) pool.pause(id);
  for (const id of running) pool.resume(id);
  return running;
}
