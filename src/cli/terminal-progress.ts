import cliProgress from 'cli-progress';
import type { OverallProgress } from '../engine/sender/upload-pool';
import type { ProgressEvent } from '../shared/progress-event';
import type { UploadJob } from '../shared/upload-job';
import { formatBytes } from '../shared/units';

/** One bar per running file plus a total, with speed and ETA; redrawn a few times a second. */
export function createTerminalProgress(
  jobs: () => UploadJob[],
  overall: () => OverallProgress,
  latest: (id: string) => ProgressEvent | undefined,
) {
  const multibar = new cliProgress.MultiBar(
    {
      format: '{bar} {percentage}% | {name} | {done}/{size} | {speed}/s | ETA {eta_text}',
      hideCursor: true,
      clearOnComplete: false,
      barsize: 24,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  let total: cliProgress.SingleBar | undefined;
  let timer: NodeJS.Timeout | undefined;

  function render() {
    const list = jobs();
    const { size, acknowledged: done, bytesPerSecond, etaSeconds: eta } = overall();
    for (const job of list) {
      if (job.status !== 'running' || bars.has(job.id)) continue;
      bars.set(
        job.id,
        multibar.create(job.size || 1, 0, {
          name: (job.relativePath ?? job.name).slice(-32),
          size: formatBytes(job.size),
          done: '0 B',
          speed: '-',
          eta_text: '-',
        }),
      );
    }
    for (const [id, bar] of bars) {
      const job = list.find((item) => item.id === id);
      if (!job) continue;
      const phase = job.phase && job.phase !== 'uploading' ? ` [${job.phase}]` : '';
      const event = latest(job.id);
      const eta = event?.etaSeconds;
      bar.update(job.acknowledged, {
        name: (job.relativePath ?? job.name).slice(-32),
        size: formatBytes(job.size),
        done: formatBytes(job.acknowledged),
        speed: event ? formatBytes(event.bytesPerSecond) : '-',
        eta_text: phase ? phase.trim() : eta === null || eta === undefined ? '-' : `${Math.ceil(eta)} s`,
      });
      if (job.status !== 'running') {
        multibar.remove(bar);
        bars.delete(id);
        if (job.status === 'failed')
          multibar.log(`✗ ${job.relativePath ?? job.name}: ${job.error?.message ?? 'failed'}\n`);
      }
    }
    total ??= multibar.create(size || 1, 0, {
      name: `total (${list.length} files)`,
      size: formatBytes(size),
      done: '0 B',
      speed: '-',
      eta_text: '-',
    });
    total.setTotal(size || 1);
    total.update(done, {
      name: `total (${list.length} files)`,
      size: formatBytes(size),
      done: formatBytes(done),
      speed: formatBytes(bytesPerSecond),
      eta_text: eta === null ? '-' : `${Math.ceil(eta)} s`,
    });
  }

  return {
    start() {
      timer = setInterval(render, 200);
    },
    stop() {
      if (timer) clearInterval(timer);
      render();
      multibar.stop();
    },
  };
}
