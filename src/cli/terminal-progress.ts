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

export interface TerminalProgressOptions {
  /** Where it writes (standard error by default). */
  output?: NodeJS.WritableStream;
  /**
   * Bars, redrawn in place; by default only on a terminal. Elsewhere (a log file, a pipe) a redraw
   * would only pile up lines, so only failures are written, one line each.
   */
  bars?: boolean;
}

/** Files with a bar of their own at most; the rest count in the total (a bulk request runs 64 at once). */
const maxFileBars = 8;
const redrawMs = 200;

/** Runs `draw` every redraw from `start`, and a last time at `stop`, then `last`. */
function onTimer(draw: () => void, last?: () => void) {
  let timer: NodeJS.Timeout | undefined;
  return {
    start() {
      timer = setInterval(draw, redrawMs);
    },
    stop() {
      if (timer) clearInterval(timer);
      draw();
      last?.();
    },
  };
}

const failureLine = (job: UploadJob) => `✗ ${job.relativePath ?? job.name}: ${job.error?.message ?? 'failed'}\n`;

/** One bar per running file (up to 8) plus a total, with speed and ETA; redrawn a few times a second. */
export function createTerminalProgress(source: TerminalProgressSource, options: TerminalProgressOptions = {}) {
  const output = options.output ?? process.stderr;
  const bars = options.bars ?? (output as { isTTY?: boolean }).isTTY === true;
  return bars ? barsProgress(source, output) : failuresOnly(source, output);
}

function failuresOnly(source: TerminalProgressSource, output: NodeJS.WritableStream) {
  const watched = new Set<string>();
  const look = () => {
    for (const job of source.running()) if (job.status === 'running') watched.add(job.id);
    for (const id of watched) {
      const job = source.job(id);
      if (job?.status === 'running') continue;
      watched.delete(id);
      if (job?.status === 'failed') output.write(failureLine(job));
    }
  };
  return onTimer(look);
}

function barsProgress(source: TerminalProgressSource, output: NodeJS.WritableStream) {
  const { overall, latest } = source;
  const multibar = new cliProgress.MultiBar(
    {
      format: '{bar} {percentage}% | {name} | {done}/{size} | {speed}/s | ETA {eta_text}',
      hideCursor: true,
      clearOnComplete: false,
      barsize: 24,
      etaBuffer: 50,
      stream: output,
      // A stream that is not a terminal was asked for bars (a test): it gets them.
      noTTYOutput: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const shown = new Map<string, cliProgress.SingleBar>();
  // A finished file's bar goes to the next file: taking a bar down redraws everything at once.
  const spare: cliProgress.SingleBar[] = [];
  let total: cliProgress.SingleBar | undefined;

  const payload = (job: UploadJob) => {
    const phase = job.phase && job.phase !== 'uploading' ? job.phase : undefined;
    const event = latest(job.id);
    const eta = event?.etaSeconds;
    return {
      name: (job.relativePath ?? job.name).slice(-32),
      size: formatBytes(job.size),
      done: formatBytes(job.acknowledged),
      speed: event ? formatBytes(event.bytesPerSecond) : '-',
      eta_text: phase ?? (eta === null || eta === undefined ? '-' : `${Math.ceil(eta)} s`),
    };
  };

  function render() {
    for (const [id, bar] of shown) {
      const job = source.job(id);
      if (job?.status === 'running') {
        bar.update(job.acknowledged, payload(job));
        continue;
      }
      shown.delete(id);
      spare.push(bar);
      if (job?.status === 'failed') multibar.log(failureLine(job));
    }
    for (const job of source.running()) {
      if (shown.size >= maxFileBars) break;
      if (job.status !== 'running' || shown.has(job.id)) continue;
      const bar = spare.pop();
      if (bar) {
        bar.setTotal(job.size || 1);
        bar.update(job.acknowledged, payload(job));
      }
      shown.set(job.id, bar ?? multibar.create(job.size || 1, job.acknowledged, payload(job)));
    }
    // Fewer files running than bars: the spare ones go (this happens as a run winds down, not per file).
    for (const bar of spare.splice(0)) multibar.remove(bar);
    const { files, size, acknowledged: done, bytesPerSecond, etaSeconds: eta } = overall();
    const totals = {
      name: `total (${files} files)`,
      size: formatBytes(size),
      done: formatBytes(done),
      speed: formatBytes(bytesPerSecond),
      eta_text: eta === null ? '-' : `${Math.ceil(eta)} s`,
    };
    total ??= multibar.create(size || 1, 0, totals);
    total.setTotal(size || 1);
    total.update(done, totals);
  }

  return onTimer(render, () => multibar.stop());
}
