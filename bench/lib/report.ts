// Per-run lines and the final summary with targets.
import { formatBytes } from '../../src/shared/units';
import type { Measurement } from './measure';
import type { SweepPoint } from './memory-sweep';
import type { ServerStats } from './protocol';
import type { SmallFilesResult } from './small-files';
import { fixed, mark, mbPerSec, median, mib, table } from './stats';

const labelWidth = 17;
const flatSlack = 32 * 2 ** 20;

const growth = (s: ServerStats) => s.rssAfter - s.rssBefore;
const peakGrowth = (s: ServerStats) => s.rssPeak - s.rssBefore;

function statsText(stats: ServerStats | undefined): string {
  if (!stats) return '';
  return `RSS ${mib(growth(stats), true)} (peak ${mib(peakGrowth(stats), true)})  loop p99 ${fixed(stats.loopP99Ms)} ms  server CPU ${fixed(stats.cpuMs / 1000, 2)} s`;
}

export function formatRun(prefix: string, m: Measurement): string {
  const head = `${prefix}  ${m.label.padEnd(labelWidth)}`;
  if (m.error || !m.transfer) return `${head}  FAILED: ${m.error ?? 'no transfer'}`;
  const t = m.transfer;
  const speed = `${fixed(mbPerSec(t.bytes, t.ms)).padStart(7)} MB/s  ${fixed(t.ms / 1000, 2)} s`;
  return `${head}${speed}  ${statsText(m.stats)}  client CPU ${fixed(t.clientCpuMs / 1000, 2)} s  ${m.checked ?? ''}`;
}

export function formatSmall(prefix: string, r: SmallFilesResult): string {
  const head = `${prefix}  ${r.label.padEnd(labelWidth)}`;
  if (r.error || r.ms === undefined) return `${head}  FAILED: ${r.error ?? 'no result'}`;
  return `${head}${fixed(r.count / (r.ms / 1000), 0).padStart(7)} files/s  ${fixed(r.ms / 1000, 2)} s  ${statsText(r.stats)}`;
}

export function formatSweepPoint(label: string, p: SweepPoint): string {
  return formatRun(`sweep ${formatBytes(p.size).padStart(9)}`, { ...p.measurement, label });
}

export interface SummaryInput {
  labels: string[];
  big: Measurement[];
  small: SmallFilesResult[];
  sweep: { label: string; points: SweepPoint[] }[];
  bigSize: number;
  command: string;
}

interface Target {
  name: string;
  shown: string;
  /** undefined: informational, no goal. */
  met?: boolean;
}

export function summarize(input: SummaryInput): string {
  const out: string[] = [];
  const bigRows = input.labels.map((label) =>
    bigRow(
      label,
      input.big.filter((m) => m.label === label),
    ),
  );
  out.push(`Big upload (${formatBytes(input.bigSize)}, one streaming PATCH/PUT, medians)`);
  out.push(
    table(
      ['Server', 'MB/s', 'range', 'RSS growth', 'RSS peak', 'loop p99', 'server CPU/GB', 'stored file'],
      bigRows.map((r) => r.cells),
    ),
  );

  const smallByLabel = new Map<string, SmallFilesResult[]>();
  for (const r of input.small) smallByLabel.set(r.label, [...(smallByLabel.get(r.label) ?? []), r]);
  const smallRows = [...smallByLabel].map(([label, results]) => smallRow(label, results));
  if (smallRows.length > 0) {
    const first = input.small[0]!;
    out.push('', `Small files (${first.count} files, one request each, medians)`);
    out.push(
      table(
        ['Server', 'files/s', 'RSS growth', 'loop p99', 'checked'],
        smallRows.map((r) => r.cells),
      ),
    );
  }

  if (input.sweep.length > 0) {
    out.push('', 'Memory sweep (fresh server per size; RSS growth after / peak during the upload)');
    const sizes = [...new Set(input.sweep.flatMap((s) => s.points.map((p) => p.size)))];
    const rows = input.sweep.map(({ label, points }) => [
      label,
      ...sizes.map((size) => {
        const stats = points.find((p) => p.size === size)?.measurement.stats;
        return stats ? `${mib(growth(stats), true)} / ${mib(peakGrowth(stats), true)}` : 'failed';
      }),
    ]);
    out.push(table(['Server', ...sizes.map((s) => formatBytes(s))], rows));
  }

  const speed = (label: string) => bigRows.find((r) => r.label === label);
  const rate = (label: string) => smallRows.find((r) => r.label === label);
  const targets: Target[] = [];
  const ratio = (name: string, a?: Row, b?: Row, goal?: number) => {
    if (!a || !b) return;
    const value = a.value / b.value;
    const broken = a.broken || b.broken;
    const shown = `${fixed(value, 2).padStart(6)}${goal === undefined ? '' : `  (target ≥ ${goal})`}`;
    targets.push({
      name,
      shown: broken ? `${shown}  a server failed or stored a wrong file` : shown,
      met: goal === undefined ? undefined : !broken && value >= goal,
    });
  };
  for (const ferry of ['Ferry', 'Ferry (no fsync)']) {
    ratio(`${ferry} / @tus/server, big upload`, speed(ferry), speed('@tus/server'), 1.3);
    ratio(`${ferry} / bare pipe, big upload`, speed(ferry), speed('bare pipe'), 0.85);
  }
  ratio('Ferry / Ferry (no fsync): what fsync costs', speed('Ferry'), speed('Ferry (no fsync)'));
  ratio('bare pipe / @tus/server, big upload', speed('bare pipe'), speed('@tus/server'));
  for (const ferry of ['Ferry', 'Ferry (no fsync)']) {
    ratio(`${ferry} / @tus/server, small files`, rate(ferry), rate('@tus/server'), 3);
  }
  for (const { label, points } of input.sweep) targets.push(flatness(label, points));

  out.push('', 'Targets');
  for (const t of targets) out.push(`  ${mark(t.met)} ${t.name.padEnd(46)} ${t.shown}`);
  if (!input.labels.includes('Ferry')) out.push('  (peers only: Ferry targets not measured)');
  out.push('', `Command: ${input.command}`);
  return out.join('\n');
}

interface Row {
  label: string;
  value: number;
  broken: boolean;
  cells: string[];
}

function bigRow(label: string, runs: Measurement[]): Row {
  const ok = runs.filter((m) => !m.error && m.transfer && m.stats);
  const speeds = ok.map((m) => mbPerSec(m.transfer!.bytes, m.transfer!.ms));
  const stats = ok.map((m) => m.stats!);
  const failure = runs.find((m) => m.error)?.error;
  const cpuPerGb = ok.map((m) => m.stats!.cpuMs / 1000 / (m.transfer!.bytes / 1e9));
  return {
    label,
    value: median(speeds),
    broken: failure !== undefined || ok.length === 0,
    cells: [
      label,
      fixed(median(speeds)),
      speeds.length ? `${fixed(Math.min(...speeds), 0)}–${fixed(Math.max(...speeds), 0)}` : 'n/a',
      stats.length ? mib(median(stats.map(growth)), true) : 'n/a',
      stats.length ? mib(median(stats.map(peakGrowth)), true) : 'n/a',
      stats.length ? `${fixed(median(stats.map((s) => s.loopP99Ms)))} ms` : 'n/a',
      cpuPerGb.length ? `${fixed(median(cpuPerGb), 2)} s` : 'n/a',
      failure ? `✗ ${failure.slice(0, 60)}` : ok.some((m) => m.checked === 'sha256') ? '✓ sha256' : '✓ size',
    ],
  };
}

function smallRow(label: string, results: SmallFilesResult[]): Row {
  const ok = results.filter((r) => !r.error && r.ms !== undefined && r.stats);
  const rates = ok.map((r) => r.count / (r.ms! / 1000));
  const failure = results.find((r) => r.error)?.error;
  return {
    label,
    value: median(rates),
    broken: failure !== undefined || ok.length === 0,
    cells: [
      label,
      fixed(median(rates), 0),
      ok.length ? mib(median(ok.map((r) => growth(r.stats!))), true) : 'n/a',
      ok.length ? `${fixed(median(ok.map((r) => r.stats!.loopP99Ms)))} ms` : 'n/a',
      failure ? `✗ ${failure.slice(0, 60)}` : '✓ all stored',
    ],
  };
}

/** Flat means peak RSS growth varies by at most flatSlack across file sizes. */
function flatness(label: string, points: SweepPoint[]): Target {
  const peaks = points.flatMap((p) =>
    p.measurement.stats && !p.measurement.error ? [peakGrowth(p.measurement.stats)] : [],
  );
  const name = `${label}: RSS flat in file size`;
  if (peaks.length < points.length) return { name, shown: 'a sweep upload failed', met: false };
  const spread = Math.max(...peaks) - Math.min(...peaks);
  return { name, shown: `peak growth spread ${mib(spread)}  (target ≤ ${mib(flatSlack)})`, met: spread <= flatSlack };
}
