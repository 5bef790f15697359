// Whole processes, as users run them from a shell, start-up included: `ferry send` (the bundled CLI
// on plain node) against a tus-js-client script, both into one `ferry serve` receiver (durable, the
// default), alternating, medians, after one untimed warm-up run of each. Each run is timed from the
// shell's fork to the process's exit.
//   npm run bench:cli -- [--size 1GiB] [--small-files 2000] [--small-size 16KiB] [--runs 3] [--profile dir]
// With --profile, the receiver and every `ferry send` write V8 CPU profiles under dir/receiver and
// dir/send/<run>, and their top self times are printed at the end.
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseSize } from '../src/shared/units';
import { runBench, warnIfBusy, wholeNumber } from './lib/bench-run';
import { hostStealMs, processCpuMs, timeCommand, type TimedRun } from './lib/cli-run';
import { describeProfiles } from './lib/cpu-profile-top';
import { createRandomFile } from './lib/files';
import { checkLanded } from './lib/landed';
import { settleDisk } from './lib/measure';
import { createSmallSet, linkAs } from './lib/sender-fixtures';
import { fixed, mbPerSec, median, table } from './lib/stats';

interface CliOptions {
  size: number;
  smallFiles: number;
  smallSize: number;
  runs: number;
  concurrency: number;
  keep: boolean;
  profileDir?: string;
}

const usage = `Usage: npm run bench:cli -- [--size 1GiB] [--small-files 2000] [--small-size 16KiB] [--runs 3] [--concurrency 8] [--keep] [--profile dir]`;

function readCliOptions(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      size: { type: 'string', default: '1GiB' },
      'small-files': { type: 'string' },
      'small-size': { type: 'string', default: '16KiB' },
      runs: { type: 'string' },
      concurrency: { type: 'string' },
      keep: { type: 'boolean', default: false },
      profile: { type: 'string' },
    },
  });
  return {
    size: parseSize(values.size),
    smallFiles: wholeNumber(values['small-files'], 2000, '--small-files', true),
    smallSize: parseSize(values['small-size']),
    runs: wholeNumber(values.runs, 3, '--runs'),
    concurrency: wholeNumber(values.concurrency, 8, '--concurrency'),
    keep: values.keep,
    ...(values.profile ? { profileDir: resolve(values.profile) } : {}),
  };
}

const root = join(import.meta.dirname, '..');
const token = 'bench-cli';
const ferryBin = join(root, 'scripts', 'ferry.mjs');
const tusJsBin = join(root, 'bench', 'lib', 'tus-js-send.mjs');

interface Receiver {
  endpoint: string;
  dir: string;
  cpuMs(): Promise<number>;
  close(): Promise<void>;
}

/** Node flags that make a process write its CPU profile into `dir` as it exits. */
const profileFlags = (dir: string | undefined, name: string) =>
  dir ? ['--cpu-prof', `--cpu-prof-dir=${join(dir, name)}`] : [];

async function startReceiver(dir: string, profileDir: string | undefined): Promise<Receiver> {
  const child = spawn(
    process.execPath,
    [
      ...profileFlags(profileDir, 'receiver/serve'),
      ferryBin,
      'serve',
      '--dir',
      dir,
      '--token',
      token,
      '--log-level',
      'warn',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`ferry serve exited (${code}) before listening: ${out}`)));
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      const found = /Listening on (http:\/\/\S+)/.exec(out);
      if (found) resolve(found[1]!);
    });
  });
  child.stdout.resume();
  return {
    endpoint: `${base}/files/`,
    dir,
    cpuMs: () => processCpuMs(child),
    close: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

type Sender = 'ferry send' | 'tus-js-client';

function commandFor(
  sender: Sender,
  receiver: Receiver,
  source: string,
  state: string,
  concurrency: number,
  profile: string[],
): string[] {
  if (sender === 'tus-js-client')
    return [
      process.execPath,
      ...profile,
      tusJsBin,
      '--to',
      receiver.endpoint,
      '--token',
      token,
      `--concurrency=${concurrency}`,
      source,
    ];
  const args = ['send', source, '--to', receiver.endpoint, '--token', token, '--concurrency', String(concurrency)];
  return [process.execPath, ...profile, ferryBin, ...args, '--state', state];
}

interface Row {
  sender: Sender;
  wallMs: number[];
  cpuMs: number[];
  receiverCpuMs: number[];
  stealMs: number[];
}

async function measure(
  label: string,
  work: { units: number; bytes: number; unit: string },
  runOnce: (sender: Sender, run: number) => Promise<{ timed: TimedRun; receiverCpuMs: number; stealMs: number }>,
  runs: number,
): Promise<void> {
  const rows: Row[] = (['ferry send', 'tus-js-client'] as const).map((sender) => ({
    sender,
    wallMs: [],
    cpuMs: [],
    receiverCpuMs: [],
    stealMs: [],
  }));
  // One untimed run of each first: the receiver is a long-running process, and whichever sender came
  // first would otherwise pay for its JIT warming up on that sender's path (bulk or tus).
  for (const row of rows) {
    const { timed } = await runOnce(row.sender, 0);
    console.log(`warm-up ${row.sender.padEnd(14)} ${fixed(timed.wallMs / 1000, 2)} s (not counted)`);
  }
  for (let run = 1; run <= runs; run++) {
    for (const row of run % 2 ? rows : [...rows].reverse()) {
      const { timed, receiverCpuMs, stealMs } = await runOnce(row.sender, run);
      row.wallMs.push(timed.wallMs);
      row.cpuMs.push(timed.cpuMs);
      row.receiverCpuMs.push(receiverCpuMs);
      row.stealMs.push(stealMs);
      const rate = work.unit === 'MB/s' ? mbPerSec(work.bytes, timed.wallMs) : work.units / (timed.wallMs / 1000);
      console.log(
        `run ${run}/${runs}  ${row.sender.padEnd(14)} ${fixed(timed.wallMs / 1000, 2)} s  ${fixed(rate, work.unit === 'MB/s' ? 1 : 0)} ${work.unit}` +
          `  CPU ${fixed(timed.cpuMs / 1000, 2)} s  receiver CPU ${fixed(receiverCpuMs / 1000, 2)} s` +
          `  host steal ${fixed(stealMs / 1000, 2)} s`,
      );
    }
  }
  const rateOf = (ms: number) => (work.unit === 'MB/s' ? mbPerSec(work.bytes, ms) : work.units / (ms / 1000));
  console.log(`\n${label}, whole process, median of ${runs}`);
  console.log(
    table(
      ['Sender', 'wall', work.unit, 'range', 'sender CPU', 'receiver CPU', 'host steal'],
      rows.map((row) => [
        row.sender,
        `${fixed(median(row.wallMs) / 1000, 2)} s`,
        fixed(rateOf(median(row.wallMs)), work.unit === 'MB/s' ? 1 : 0),
        `${fixed(rateOf(Math.max(...row.wallMs)), 0)}–${fixed(rateOf(Math.min(...row.wallMs)), 0)}`,
        `${fixed(median(row.cpuMs) / 1000, 2)} s`,
        `${fixed(median(row.receiverCpuMs) / 1000, 2)} s`,
        `${fixed(median(row.stealMs) / 1000, 2)} s`,
      ]),
    ),
  );
  const [ferry, peer] = rows as [Row, Row];
  console.log(
    `Ferry / tus-js-client: ${fixed(median(peer.wallMs) / median(ferry.wallMs), 2)}× (time taken, inverted)\n`,
  );
}

async function main(options: CliOptions, workDir: string): Promise<void> {
  warnIfBusy('start');
  const receiveDir = join(workDir, 'received');
  const receiver = await startReceiver(receiveDir, options.profileDir);
  try {
    const startUp = await timeCommand([process.execPath, ferryBin, 'send', '--help'], { timeoutMs: 60_000 });
    const bare = await timeCommand([process.execPath, '-e', '0'], { timeoutMs: 60_000 });
    console.log(`Start-up: ferry send --help ${fixed(startUp.wallMs, 0)} ms, bare node ${fixed(bare.wallMs, 0)} ms\n`);
    const sets: { label: string; sources: { path: string; sha256: string; size: number }[] }[] = [];
    if (options.size > 0) {
      const big = await createRandomFile(join(workDir, 'big.bin'), options.size);
      sets.push({ label: `One file of ${fixed(options.size / 2 ** 30, 2)} GiB`, sources: [big] });
    }
    if (options.smallFiles > 0)
      sets.push({
        label: `${options.smallFiles} × ${fixed(options.smallSize / 1024, 0)} KiB, ${options.concurrency} at once`,
        sources: await createSmallSet(join(workDir, 'small'), options.smallFiles, options.smallSize),
      });
    await settleDisk();
    for (const set of sets) {
      const bytes = set.sources.reduce((sum, source) => sum + source.size, 0);
      const one = set.sources.length === 1;
      const work = one ? { units: 1, bytes, unit: 'MB/s' } : { units: set.sources.length, bytes, unit: 'files/s' };
      await measure(
        set.label,
        work,
        async (sender, run) => {
          // Names of their own per run: what earlier runs left landed cannot answer for this one.
          const tag = `${one ? 'big' : 'small'}-${sender === 'ferry send' ? 'ferry' : 'tusjs'}-${run}`;
          const folder = join(workDir, 'runs', tag);
          const names = set.sources.map((_, i) => (one ? `${tag}.bin` : `${tag}-${i}.bin`));
          const paths = await linkAs(
            set.sources.map((source) => source.path),
            folder,
            names,
          );
          await settleDisk();
          const before = await receiver.cpuMs();
          const stealBefore = await hostStealMs();
          const command = commandFor(
            sender,
            receiver,
            one ? paths[0]! : folder,
            join(workDir, `${tag}.state.json`),
            options.concurrency,
            profileFlags(options.profileDir, `send/${tag}`),
          );
          const timed = await timeCommand(command, { timeoutMs: 600_000 });
          const receiverCpuMs = (await receiver.cpuMs()) - before;
          const stealMs = (await hostStealMs()) - stealBefore;
          await rm(folder, { recursive: true, force: true });
          if (timed.code !== 0) throw new Error(`${sender} exited ${timed.code}: ${timed.stderr.slice(-400)}`);
          // Every file by sha256; a run of many files stays landed until the receiver stops (keptUntilPassEnds).
          const expected = set.sources.map((source, i) => ({ ...source, filename: names[i]! }));
          await checkLanded(receiveDir, expected, true);
          await settleDisk();
          return { timed, receiverCpuMs, stealMs };
        },
        options.runs,
      );
    }
  } finally {
    await receiver.close();
  }
  if (options.profileDir) {
    const described = await Promise.all(
      (['receiver', 'send'] as const).map((side) =>
        describeProfiles(join(options.profileDir!, side), {
          bundle: join(root, 'dist', 'cli', side === 'receiver' ? 'serve.js' : 'send.js'),
        }),
      ),
    );
    console.log(`\nTop self times (CPU profiles in ${options.profileDir})\n${described.join('\n')}`);
  }
  warnIfBusy('end');
}

await runBench({ readOptions: readCliOptions, usage, tempPrefix: 'ferry-bench-cli-', main });
