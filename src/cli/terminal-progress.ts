import cliProgress from 'cli-progress';
import type { OverallProgress } from '../engine/sender/upload-pool';
import type { ProgressEvent } from '../shared/progress-event';
import type { UploadJob } from '../shared/upload-job';
import { formatBytes } from '../shared/units';

export interface TerminalProgressSource {
  /** The jobs being sent now: a redraw looks only at these and the bars it shows, never the whole queue. */
  running(): Iterable<UploadJob>;
  job(id: string): UploadJob | undefined;
  overall(): OverallProgress;
  latest(id: string): ProgressEvent | undefined;
}

/** One bar per running file plus a total, with speed and ETA; redrawn a few times a second. */
export function createTerminalProgress(source: TerminalProgressSource, output?: NodeJS.WritableStream) {
  const { overall, latest } = source;
  const multibar = new cliProgress.MultiBar(
    {
      format: '{bar} {percentage}% | {name} | {done}/{size} | {speed}/s | ETA {eta_text}',
      hideCursor: true,
      clearOnComplete: false,
      barsize: 24,
      etaBuffer: 50,
      // Another stream than the terminal (a test's) gets the bars too.
      ...(output ? { stream: output, noTTYOutput: true } : {}),
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  let total: cliProgress.SingleBar | undefined;
  let timer: NodeJS.Timeout | undefined;

  function render() {
    const { files, size, acknowledged: done, bytesPerSecond, etaSeconds: eta } = overall();
    for (const job of source.running()) {
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
      const job = source.job(id);
      if (!job) {
        multibar.remove(bar);
        bars.delete(id);
        continue;
      }
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
      name: `total (${files} files)`,
      size: formatBytes(size),
      done: '0 B',
      speed: '-',
      eta_text: '-',
    });
    total.setTotal(size || 1);
    total.update(done, {
      name: `total (${files} files)`,
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
