// Per-run lines and the summary of the app benchmark.
import { formatBytes } from '../../src/shared/units';
import type { AppResult, LoopFigures, StoreRow } from './app-protocol';
import type { WindowFigures } from './app-process';
import { fixed, mark, mbPerSec, median, mib, table } from './stats';

export interface AppRun {
  phase: 'big' | 'queue';
  run: number;
  result?: AppResult;
  window?: WindowFigures;
  /** The idle control process over the same span. */
  idle?: LoopFigures;
  checked?: 'sha256' | 'size';
  error?: string;
}

/** Main's loop must keep up with the window: a frame is ~16 ms, input should never wait longer. */
const loopTarget = 20;

const seconds = (r: AppResult) => r.sendMs / 1000;
const rate = (run: AppRun) =>
  run.phase === 'big' ? mbPerSec(run.result!.bytes, run.result!.sendMs) : run.result!.files / seconds(run.result!);
const rateText = (run: AppRun, value: number) =>
  run.phase === 'big' ? `${fixed(value)} MB/s` : `${fixed(value, 0)} files/s`;
const kb = (bytes: number) => (bytes >= 1e6 ? `${fixed(bytes / 1e6, 2)} MB` : `${fixed(bytes / 1e3, 1)} kB`);

export function formatAppRun(prefix: string, run: AppRun): string {
  const head = `${prefix}  ${run.phase.padEnd(5)}`;
  if (!run.result) return `${head}  FAILED: ${run.error ?? 'no result'}`;
  const r = run.result;
  const control = run.idle ? ` (idle process p99 ${fixed(run.idle.p99Ms)} max ${fixed(run.idle.maxMs)})` : '';
  const loop = `loop p50 ${fixed(r.loop.p50Ms)} p99 ${fixed(r.loop.p99Ms)} max ${fixed(r.loop.maxMs)} ms${control}`;
  const ipc = `IPC ${fixed(r.pushes.count / seconds(r))} pushes/s ${kb(r.pushes.bytes / seconds(r))}/s (median ${kb(r.pushes.laterMedianBytes)})`;
  const ws = run.window
    ? `  ws ${fixed(run.window.messages / seconds(r), 0)} msg/s ${kb(run.window.bytes / seconds(r))}/s`
    : '';
  const verdict = run.error ? `✗ ${run.error}` : `✓ ${run.checked}`;
  return (
    `${head}  ${r.completed}/${r.files} in ${fixed(seconds(r), 2)} s  ${rateText(run, rate(run))}  ${loop}  CPU ${fixed(r.cpuMs / 1000, 2)} s  ` +
    `RSS peak ${mib(r.peakRss)}  start-up ${fixed(r.startupMs, 0)} ms  ${ipc}${ws}  saves ${r.saves}  ${verdict}`
  );
}

export function formatStoreRow(row: StoreRow): string {
  return `store  ${String(row.jobs).padStart(6)} jobs  ${formatBytes(row.bytes).padStart(10)}/save  median ${fixed(row.medianMs, 2)} ms  p95 ${fixed(row.p95Ms, 2)} ms  max ${fixed(row.maxMs, 2)} ms  (JSON alone ${fixed(row.jsonMs, 2)} ms)`;
}

export interface AppSummaryInput {
  runs: AppRun[];
  bigSize: number;
  queueFiles: number;
  queueFileSize: number;
  queueStore: string;
  store: StoreRow[];
  storeError?: string;
  command: string;
}

interface Target {
  name: string;
  shown: string;
  met?: boolean;
}

const m = (values: number[], digits = 1) => fixed(median(values), digits);

export function summarizeApp(input: AppSummaryInput): string {
  const out: string[] = [];
  const targets: Target[] = [];
  const phases = (['big', 'queue'] as const).filter((phase) => input.runs.some((r) => r.phase === phase));
  const label = (phase: 'big' | 'queue') =>
    phase === 'big'
      ? `1 file, ${formatBytes(input.bigSize)}`
      : `${input.queueFiles} × ${formatBytes(input.queueFileSize)} in one drop`;
  const okOf = (phase: 'big' | 'queue') => input.runs.filter((r) => r.phase === phase && r.result && !r.error);

  const loopRows = phases.map((phase) => {
    const ok = okOf(phase);
    const rs = ok.map((r) => r.result!);
    const idles = ok.flatMap((r) => (r.idle ? [r.idle] : []));
    const failure = input.runs.find((r) => r.phase === phase && r.error)?.error;
    const p99 = median(rs.map((r) => r.loop.p99Ms));
    targets.push({
      name: `main's loop p99 while sending ${label(phase)}`,
      shown: `${fixed(p99)} ms  (target < ${loopTarget} ms; runs ${rs.map((r) => fixed(r.loop.p99Ms)).join(', ')})`,
      met: failure === undefined && ok.length > 0 && p99 < loopTarget,
    });
    return [
      label(phase),
      String(ok.length),
      `${m(rs.map(seconds), 2)} s`,
      ok.length ? rateText(ok[0]!, median(ok.map(rate))) : 'n/a',
      `${m(rs.map((r) => r.loop.p50Ms))} ms`,
      `${m(rs.map((r) => r.loop.p99Ms))} ms`,
      `${m(rs.map((r) => r.loop.maxMs))} ms`,
      idles.length ? `${m(idles.map((i) => i.p99Ms))} / ${m(idles.map((i) => i.maxMs))} ms` : 'n/a',
      `${m(
        rs.map((r) => r.cpuMs / 1000),
        2,
      )} s`,
      rs.length ? mib(median(rs.map((r) => r.peakRss))) : 'n/a',
      `${m(
        rs.map((r) => r.startupMs),
        0,
      )} ms`,
      failure
        ? `✗ ${failure.slice(0, 50)}`
        : ok.some((r) => r.checked === 'sha256')
          ? '✓ sha256'
          : ok.length
            ? '✓ size'
            : '✗ no run',
    ];
  });
  const runsOf = Math.max(...phases.map((phase) => input.runs.filter((r) => r.phase === phase).length), 0);
  if (loopRows.length > 0) {
    out.push(
      `Main's responsiveness — one headless main process (core + pushes, queue: ${input.queueStore}), median of ${runsOf} run(s)`,
    );
    out.push(
      table(
        [
          'Send',
          'runs',
          'wall',
          'rate',
          'loop p50',
          'loop p99',
          'loop max',
          'idle process p99 / max',
          'process CPU',
          'peak RSS',
          'start-up',
          'landed',
        ],
        loopRows,
      ),
      '',
    );

    const ipcRows = phases.map((phase) => {
      const ok = okOf(phase);
      const rs = ok.map((r) => r.result!);
      const windows = ok.filter((r) => r.window);
      if (phase === 'queue' && rs.length > 0) {
        const maxJobs = Math.max(...rs.map((r) => r.pushes.laterMaxJobs));
        targets.push({
          name: `later pushes carry changed jobs only (${label(phase)})`,
          shown: `at most ${maxJobs} of ${input.queueFiles} jobs in one push after the first; median ${kb(median(rs.map((r) => r.pushes.laterMedianBytes)))}/push`,
          met: maxJobs < input.queueFiles / 10,
        });
      }
      return [
        label(phase),
        m(rs.map((r) => r.pushes.count / seconds(r))),
        `${kb(median(rs.map((r) => r.pushes.bytes / seconds(r))))}/s`,
        kb(median(rs.map((r) => r.pushes.firstBytes))),
        kb(median(rs.map((r) => r.pushes.laterMedianBytes))),
        kb(median(rs.map((r) => r.pushes.laterP95Bytes))),
        kb(median(rs.map((r) => r.pushes.laterMaxBytes))),
        m(
          rs.map((r) => r.pushes.laterMaxJobs),
          0,
        ),
        windows.length
          ? `${m(
              windows.map((r) => r.window!.messages / seconds(r.result!)),
              0,
            )} msg/s, ${kb(median(windows.map((r) => r.window!.bytes / seconds(r.result!))))}/s`
          : 'no window',
        m(
          rs.map((r) => r.saves),
          0,
        ),
      ];
    });
    out.push('Pushes to the window (IPC serialized as JSON; /ws read by a client in another process)');
    out.push(
      table(
        [
          'Send',
          'pushes/s',
          'IPC bytes/s',
          'first push',
          'later: median',
          'p95',
          'max',
          'max jobs/push',
          '/ws to window',
          'queue saves',
        ],
        ipcRows,
      ),
      '',
    );
  }

  if (input.store.length > 0) {
    out.push(
      `electron-store: store.set('uploadQueue', state), synchronous on main's thread (half the jobs sent, half queued)`,
    );
    out.push(
      table(
        ['jobs', 'bytes/save', 'median', 'p95', 'max', 'JSON alone'],
        input.store.map((row) => [
          String(row.jobs),
          formatBytes(row.bytes),
          `${fixed(row.medianMs, 2)} ms`,
          `${fixed(row.p95Ms, 2)} ms`,
          `${fixed(row.maxMs, 2)} ms`,
          `${fixed(row.jsonMs, 2)} ms`,
        ]),
      ),
      '',
    );
  } else if (input.storeError) {
    out.push(`electron-store save cost: FAILED: ${input.storeError}`, '');
  }

  out.push('Targets');
  const width = Math.max(...targets.map((t) => t.name.length), 10);
  for (const t of targets) out.push(`  ${mark(t.met)} ${t.name.padEnd(width)}  ${t.shown}`);
  out.push('', `Command: ${input.command}`);
  return out.join('\n');
}
