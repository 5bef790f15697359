// Lines and summary tables of the sender benchmark's scale phases: a held queue of many files (add,
// persist, restore in a new process) and one long send timed stretch by stretch.
import { formatBytes } from '../../src/shared/units';
import type { ServerStats } from './protocol';
import type { SenderResult } from './sender-protocol';
import { fixed, mib, table } from './stats';

/** The memory goal for a sender holding 100,000 jobs, in decimal megabytes. */
const queueRssLimit = 300e6;
/**
 * Flat: over the run, the fitted line of files/s falls (and the one of CPU per file rises) by less than
 * this share of its mean. Getting faster is no cost growing; the first stretch, which warms the JIT and
 * the connections, is left out of the fit.
 */
const flatLimit = 0.2;

/** The stretches the trend is fitted on: all but the first, when there are enough. */
const steady = (values: number[]) => (values.length >= 4 ? values.slice(1) : values);

const mb = (bytes: number) => `${fixed(bytes / 1e6)} MB`;
const seconds = (ms: number) => `${fixed(ms / 1000, 2)} s`;

export interface ScaleTarget {
  name: string;
  shown: string;
  met?: boolean;
}

export interface QueueOutcome {
  held?: SenderResult;
  restored?: SenderResult;
  error?: string;
}

export interface ScaleOutcome {
  result?: SenderResult;
  server?: ServerStats;
  error?: string;
}

export function formatQueue(r: SenderResult): string {
  const q = r.queue!;
  return (
    `queue    ${q.jobs} files: added in ${seconds(q.addMs)}, persisted in ${seconds(q.persistMs)} ` +
    `(state file ${formatBytes(q.stateBytes)}); RSS held ${mib(r.rssEnd)} (base ${mib(r.rssBase)}, peak ${mib(r.rssPeak)}, ` +
    `heap ${mib(r.heapEnd - r.heapBase, true)})`
  );
}

export function formatRestore(r: SenderResult): string {
  return `restore  ${r.restoredJobs} jobs in a new process in ${seconds(r.ms)}; RSS held ${mib(r.rssEnd)} (peak ${mib(r.rssPeak)})`;
}

/** Least-squares line through the values at 0, 1, 2…: its slope, and its change over the run against its mean. */
export function trendOf(values: number[]): { slope: number; change: number } {
  const n = values.length;
  if (n < 2) return { slope: 0, change: 0 };
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((sum, value) => sum + value, 0) / n;
  let num = 0;
  let den = 0;
  values.forEach((value, x) => {
    num += (x - meanX) * (value - meanY);
    den += (x - meanX) ** 2;
  });
  const slope = num / den;
  return { slope, change: (slope * (n - 1)) / meanY };
}

const percent = (share: number) => `${share >= 0 ? '+' : ''}${fixed(share * 100, 0)} %`;

export function formatScale(r: SenderResult, server?: ServerStats): string {
  const s = r.scale!;
  const rate = trendOf(steady(s.filesPerSecond));
  const cpu = trendOf(steady(s.cpuMsPerFile));
  return [
    `scale    ${s.files} files in ${seconds(r.ms)} (${fixed(s.files / (r.ms / 1000), 0)} files/s), ` +
      `${s.confirmed} sha256 confirmed by the receiver; sender RSS peak ${mib(r.rssPeak)}, ` +
      `after ${mib(r.rssEnd)} (heap ${mib(r.heapEnd - r.heapBase, true)}), ` +
      `sender CPU ${seconds(r.cpuMs)}, receiver CPU ${server ? seconds(server.cpuMs) : '?'}`,
    `  files/s per ${s.bucket}:   ${s.filesPerSecond.map((v) => fixed(v, 0)).join(' ')}`,
    `  CPU ms/file per ${s.bucket}: ${s.cpuMsPerFile.map((v) => fixed(v, 2)).join(' ')}`,
    `  first ${s.bucket}: ${fixed(s.filesPerSecond[0]!, 0)} files/s, last: ${fixed(s.filesPerSecond.at(-1)!, 0)} files/s; ` +
      `slope ${fixed(rate.slope, 1)} files/s per ${s.bucket} (${percent(rate.change)} over the run after the first); ` +
      `CPU/file ${percent(cpu.change)}`,
  ].join('\n');
}

export function summarizeScale(queue: QueueOutcome | undefined, scale: ScaleOutcome | undefined) {
  const out: string[] = [];
  const targets: ScaleTarget[] = [];
  if (queue?.held?.queue) {
    const { held, restored } = queue;
    const q = held.queue!;
    out.push(`Held queue (Ferry, JSON persistence, one folder of ${q.jobs} files; restored by a new process)`);
    out.push(
      table(
        ['files', 'add', 'persist', 'state file', 'RSS held', 'held − base', 'restore', 'RSS restored'],
        [
          [
            String(q.jobs),
            seconds(q.addMs),
            seconds(q.persistMs),
            formatBytes(q.stateBytes),
            mib(held.rssEnd),
            mib(held.rssEnd - held.rssBase, true),
            restored ? seconds(restored.ms) : 'n/a',
            restored ? mib(restored.rssEnd) : 'n/a',
          ],
        ],
      ),
      '',
    );
    for (const [what, r] of [
      ['holding', held],
      ['restoring', restored],
    ] as const) {
      if (!r) continue;
      targets.push({
        name: `Ferry RSS ${what} a ${q.jobs}-file queue`,
        shown: `${mb(r.rssEnd)}  (target < 300 MB; peak ${mb(r.rssPeak)})`,
        met: r.rssEnd < queueRssLimit,
      });
    }
  }
  if (queue?.error) targets.push({ name: 'Ferry held queue', shown: `failed: ${queue.error}`, met: false });

  if (scale?.result?.scale) {
    const s = scale.result.scale;
    const rate = trendOf(steady(s.filesPerSecond));
    const cpu = trendOf(steady(s.cpuMsPerFile));
    out.push(`Ferry at scale: ${s.files} small files to Ferry's receiver, per ${s.bucket} files`);
    out.push(
      table(
        ['', 'first', 'last', 'min', 'max', 'trend after the first'],
        [
          ['files/s', ...spread(s.filesPerSecond, 0), percent(rate.change)],
          ['sender CPU ms/file', ...spread(s.cpuMsPerFile, 2), percent(cpu.change)],
        ],
      ),
      '',
    );
    targets.push({
      name: `Ferry files/s stays flat over ${s.files} files`,
      shown: `${percent(rate.change)} over the run on the fitted line  (target: no fall beyond 20 %)`,
      met: rate.change > -flatLimit,
    });
    targets.push({
      name: `Ferry CPU per file stays flat over ${s.files} files`,
      shown: `${percent(cpu.change)}  (target: no rise beyond 20 %)`,
      met: cpu.change < flatLimit,
    });
    targets.push({
      name: 'Every file at scale confirmed by the receiver',
      shown: `${s.confirmed} of ${s.files}`,
      met: s.confirmed === s.files,
    });
  }
  if (scale?.error) targets.push({ name: 'Ferry at scale', shown: `failed: ${scale.error}`, met: false });
  return { lines: out, targets };
}

function spread(values: number[], digits: number): string[] {
  return [values[0]!, values.at(-1)!, Math.min(...values), Math.max(...values)].map((v) => fixed(v, digits));
}
