// Per-run lines and the final summary of the sender benchmark.
import { formatBytes } from '../../src/shared/units';
import type { SenderRun } from './sender-measure';
import { summarizeScale, type QueueOutcome, type ScaleOutcome } from './scale-report';
import { fixed, mark, mbPerSec, median, mib, table } from './stats';

const labelWidth = 22;
/** The issue's memory goal, in decimal megabytes. */
const rssLimit = 150e6;

const rate = (r: SenderRun) =>
  r.phase === 'big' ? mbPerSec(r.result!.bytes, r.result!.ms) : r.result!.files / (r.result!.ms / 1000);
const unit = (r: SenderRun) => (r.phase === 'big' ? 'MB/s' : 'files/s');
const mb = (bytes: number) => `${fixed(bytes / 1e6)} MB`;

export function formatSendRun(prefix: string, r: SenderRun): string {
  const head = `${prefix}  ${r.variant.label.padEnd(labelWidth)}`;
  if (!r.result) return `${head}  FAILED: ${r.error ?? 'no result'}`;
  const res = r.result;
  const speed = `${fixed(rate(r), r.phase === 'big' ? 1 : 0).padStart(7)} ${unit(r)}  ${fixed(res.ms / 1000, 2)} s`;
  const memory = `sender RSS peak ${mib(res.rssPeak)} (loaded ${mib(res.rssBase)}, floor ${mib(res.rssFloor)})`;
  const cpu = `sender CPU ${fixed(res.cpuMs / 1000, 2)} s  receiver CPU ${r.server ? fixed(r.server.cpuMs / 1000, 2) : '?'} s`;
  const verdict = r.error ? `✗ ${r.error}` : `✓ ${r.checked}`;
  return `${head}${speed}  ${memory}  ${cpu}  ${verdict}`;
}

interface Row {
  value: number;
  /** Medians of CPU seconds per GB (big file) or per run (small files), each side. */
  senderCpu: number;
  receiverCpu: number;
  rssPeak: number;
  broken: boolean;
  cells: string[];
}

function rowOf(label: string, runs: SenderRun[]): Row {
  const ok = runs.filter((r) => r.result && !r.error);
  const values = ok.map(rate);
  const failure = runs.find((r) => r.error)?.error;
  const big = runs[0]?.phase === 'big';
  const perGb = (ms: number, r: SenderRun) => ms / 1000 / (r.result!.bytes / 1e9);
  const senderCpu = ok.map((r) => (big ? perGb(r.result!.cpuMs, r) : r.result!.cpuMs / 1000));
  const receiverCpu = ok.filter((r) => r.server).map((r) => (big ? perGb(r.server!.cpuMs, r) : r.server!.cpuMs / 1000));
  const rssPeak = median(ok.map((r) => r.result!.rssPeak));
  const rssBase = median(ok.map((r) => r.result!.rssBase));
  const hashed = ok.some((r) => r.checked === 'sha256');
  return {
    value: median(values),
    senderCpu: median(senderCpu),
    receiverCpu: median(receiverCpu),
    rssPeak,
    broken: failure !== undefined || ok.length === 0,
    cells: [
      label,
      fixed(median(values), big ? 1 : 0),
      values.length ? `${fixed(Math.min(...values), 0)}–${fixed(Math.max(...values), 0)}` : 'n/a',
      ok.length ? mib(rssPeak) : 'n/a',
      ok.length ? mib(rssBase) : 'n/a',
      ok.length ? mib(median(ok.map((r) => r.result!.rssPeak - r.result!.rssBase)), true) : 'n/a',
      senderCpu.length ? `${fixed(median(senderCpu), 2)} s` : 'n/a',
      receiverCpu.length ? `${fixed(median(receiverCpu), 2)} s` : 'n/a',
      failure ? `✗ ${failure.slice(0, 60)}` : ok.length ? (hashed ? '✓ sha256' : '✓ size') : '✗ no run',
    ],
  };
}

export interface SenderSummaryInput {
  runs: SenderRun[];
  passes: { id: string; title: string }[];
  bigSize: number;
  queue?: QueueOutcome;
  scale?: ScaleOutcome;
  command: string;
}

interface Target {
  name: string;
  shown: string;
  met?: boolean;
}

export function summarizeSender(input: SenderSummaryInput): string {
  const out: string[] = [];
  const targets: Target[] = [];
  for (const pass of input.passes) {
    const ofPass = input.runs.filter((r) => r.pass === pass.id);
    const rows = new Map<string, Row>();
    for (const phase of ['big', 'small'] as const) {
      const runs = ofPass.filter((r) => r.phase === phase);
      if (runs.length === 0) continue;
      const labels = [...new Set(runs.map((r) => r.variant.label))];
      const phaseRows = labels.map((label) => {
        const row = rowOf(
          label,
          runs.filter((r) => r.variant.label === label),
        );
        rows.set(`${phase}:${label}`, row);
        return row;
      });
      const count = Math.max(...labels.map((label) => runs.filter((r) => r.variant.label === label).length));
      const what =
        phase === 'big'
          ? `Big file, ${formatBytes(input.bigSize)}`
          : `Small files, ${runs[0]!.result?.files ?? '?'} files`;
      out.push(`${what} — ${pass.title}, median of ${count} run(s)`);
      const cpuHead = phase === 'big' ? ['sender CPU/GB', 'receiver CPU/GB'] : ['sender CPU', 'receiver CPU'];
      const head = [
        'Sender',
        phase === 'big' ? 'MB/s' : 'files/s',
        'range',
        'RSS peak',
        'RSS loaded',
        'peak − loaded',
        ...cpuHead,
        'landed',
      ];
      out.push(
        table(
          head,
          phaseRows.map((r) => r.cells),
        ),
        '',
      );
    }
    const ratio = (name: string, a: string, b: string, goal?: number) => {
      const x = rows.get(a);
      const y = rows.get(b);
      if (!x || !y) return;
      const broken = x.broken || y.broken;
      const shown = `${fixed(x.value / y.value, 2).padStart(6)}${goal === undefined ? '' : `  (target ≥ ${goal})`}${broken ? '  a sender failed or landed a wrong file' : ''}`;
      targets.push({
        name: `${name} [${pass.id}]`,
        shown,
        met: goal === undefined ? undefined : !broken && x.value / y.value >= goal,
      });
    };
    ratio('Ferry / tus-js-client, big file', 'big:Ferry', 'big:tus-js-client', 1.5);
    ratio('Ferry / tus-js-client (8 MiB), big file', 'big:Ferry', 'big:tus-js-client (8 MiB)', 1.5);
    // CPU per GB, each side: Ferry's sender against tus-js-client's, and Ferry's receiver checking the
    // sha256 (Ferry's row) against the same receiver taking the same file unchecked (tus-js-client's).
    const cpu = (name: string, side: 'senderCpu' | 'receiverCpu', goal: number) => {
      const x = rows.get('big:Ferry');
      const y = rows.get('big:tus-js-client');
      if (!x || !y) return;
      const broken = x.broken || y.broken;
      const share = x[side] / y[side];
      targets.push({
        name: `${name} [${pass.id}]`,
        shown: `${fixed(x[side], 2)} s against ${fixed(y[side], 2)} s: ${fixed(share, 2)}×  (target ≤ ${goal}×)`,
        met: !broken && share <= goal,
      });
    };
    cpu('Ferry sender CPU/GB / tus-js-client, big file', 'senderCpu', 1);
    cpu('Receiver CPU/GB, sha256 checked / unchecked', 'receiverCpu', 1.3);
    ratio('Ferry parallel 4 / parallel 1', 'big:Ferry (parallel 4)', 'big:Ferry');
    ratio('Ferry / tus-js-client, small files', 'small:Ferry', 'small:tus-js-client', 3);
    // Memory is judged on the default receiver only; every Ferry configuration must fit.
    if (pass === input.passes[0]) {
      for (const [key, row] of rows) {
        if (!key.startsWith('big:Ferry')) continue;
        const fits = !row.broken && Number.isFinite(row.rssPeak) && row.rssPeak < rssLimit;
        targets.push({
          name: `${key.slice(4)}: peak RSS sending ${formatBytes(input.bigSize)}`,
          shown: `${mb(row.rssPeak)}  (target < 150 MB)`,
          met: fits,
        });
      }
    }
  }

  const floors = input.runs.flatMap((r) => (r.result ? [r.result.rssFloor] : []));
  if (floors.length > 0) {
    out.push(`RSS floor of a sender child before it loads a sender (Node, plus tsx if --tsx): ${mib(median(floors))}.`);
    out.push('"RSS loaded" is after importing the sender and a GC, right before the timed work.', '');
  }

  const scaled = summarizeScale(input.queue, input.scale);
  out.push(...scaled.lines);
  targets.push(...scaled.targets);

  out.push('Targets');
  const width = Math.max(...targets.map((t) => t.name.length), 10);
  for (const t of targets) out.push(`  ${mark(t.met)} ${t.name.padEnd(width)}  ${t.shown}`);
  out.push('', `Command: ${input.command}`);
  return out.join('\n');
}
