// App benchmark: main's event loop while it sends through its own embedded
// receiver (one headless main process per run: core + window pushes, bundled,
// on bare Node, start-up included), and what an electron-store queue save costs.
// Run: npm run bench:app -- [--quick] [--size 1GiB] [--runs 3] [--queue-store electron-store] [--profile dir]
import { mkdir, rm } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { formatBytes } from '../src/shared/units';
import { readAppOptions, appUsage, type AppBenchOptions } from './lib/app-options';
import { bundleAppChild, runAppChild } from './lib/app-process';
import type { AppTask, StoreRow } from './lib/app-protocol';
import { formatAppRun, formatStoreRow, summarizeApp, type AppRun } from './lib/app-report';
import { runBench, warnIfBusy } from './lib/bench-run';
import { describeProfiles } from './lib/cpu-profile-top';
import { createRandomFile } from './lib/files';
import { settleDisk } from './lib/measure';
import { checkLanded, keptUntilPassEnds, type Expected } from './lib/landed';
import { createSmallSet, createTinySet, linkAs } from './lib/sender-fixtures';

interface Fixtures {
  big: Expected & { path: string };
  /** The folder dropped in the queue phase, and what must land from it. */
  queueDir?: string;
  queueFiles: Expected[];
  /** A folder of at least as many files as the largest store size. */
  storeDir?: string;
}

async function createFixtures(options: AppBenchOptions, workDir: string): Promise<Fixtures> {
  const source = await createRandomFile(join(workDir, 'source.bin'), options.size);
  const big = { path: source.path, filename: basename(source.path), size: source.size, sha256: source.sha256 };
  let queueDir: string | undefined;
  let queueFiles: Expected[] = [];
  if (options.queueFiles > 0) {
    queueDir = join(workDir, 'drop');
    const made = await createSmallSet(queueDir, options.queueFiles, options.queueFileSize);
    queueFiles = made.map((file) => ({ filename: basename(file.path), size: file.size, sha256: file.sha256 }));
  }
  const storeJobs = Math.max(0, ...options.storeJobs);
  let storeDir = queueDir;
  if (storeJobs > options.queueFiles) {
    storeDir = join(workDir, 'store-src');
    await createTinySet(storeDir, storeJobs);
  }
  return { big, queueDir, queueFiles, storeDir: storeJobs > 0 ? storeDir : undefined };
}

/** Generous: a slow box must not fail a run; a hung one must not stall the benchmark. */
const timeoutFor = (bytes: number, files: number) => 120_000 + bytes / 2e3 + files * 100;

async function measureRun(
  entry: string,
  options: AppBenchOptions,
  workDir: string,
  fixtures: Fixtures,
  phase: 'big' | 'queue',
  run: number,
): Promise<AppRun> {
  const record: AppRun = { phase, run };
  const tag = `${phase}-${run}`;
  const receiveDir = join(workDir, `recv-${tag}`);
  const stateDir = join(workDir, `state-${tag}`);
  const linkDir = join(workDir, `links-${tag}`);
  // The big file gets a name per run, so the receiver never suffixes a repeat.
  const expected = phase === 'big' ? [{ ...fixtures.big, filename: `big-${run}.bin` }] : fixtures.queueFiles;
  try {
    await mkdir(stateDir, { recursive: true });
    const path =
      phase === 'big' ? (await linkAs([fixtures.big.path], linkDir, [`big-${run}.bin`]))[0]! : fixtures.queueDir!;
    const task: AppTask = { mode: 'send', phase, path, receiveDir, stateDir, queueStore: options.queueStore };
    const bytes = expected.reduce((sum, e) => sum + e.size, 0);
    const { answer, window, idle } = await runAppChild(entry, task, {
      timeoutMs: timeoutFor(bytes, expected.length),
      window: options.window,
      profileDir: options.profileDir,
      profileName: tag,
    });
    if (answer.type !== 'result') throw new Error(`the child answered ${answer.type}`);
    record.result = answer.result;
    record.window = window;
    record.idle = idle;
    if (answer.result.completed !== expected.length)
      throw new Error(`${answer.result.completed} of ${expected.length} job(s) completed`);
    // The big file is hashed on run 1; small files are checked for presence and size.
    record.checked = await checkLanded(receiveDir, expected, phase === 'big' && run === 1);
  } catch (error) {
    record.error = error instanceof Error ? error.message : String(error);
  } finally {
    // A drop's files stay until the work dir goes at the end (the pass); its folders with them.
    const done = keptUntilPassEnds(expected.length) ? [linkDir] : [receiveDir, stateDir, linkDir];
    await Promise.all(done.map((dir) => rm(dir, { recursive: true, force: true })));
  }
  await settleDisk();
  return record;
}

async function main(options: AppBenchOptions, workDir: string): Promise<void> {
  console.log(`Ferry app benchmark — ${new Date().toISOString()}`);
  console.log(
    `Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${formatBytes(totalmem())} RAM`,
  );
  console.log(`Work dir ${workDir}`);
  warnIfBusy('start');

  const started = Date.now();
  const fixtures = await createFixtures(options, workDir);
  console.log(
    `Sources: ${formatBytes(options.size)} random file, ${options.queueFiles} × ${formatBytes(options.queueFileSize)}, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  const entry = await bundleAppChild();
  try {
    await measureAll(options, workDir, fixtures, entry);
  } finally {
    if (!options.keep) await rm(dirname(entry), { recursive: true, force: true });
  }
}

async function measureAll(options: AppBenchOptions, workDir: string, fixtures: Fixtures, entry: string): Promise<void> {
  console.log(
    `Main: bundled child on bare Node (esbuild), queue persistence ${options.queueStore}, ${options.window ? 'window on /ws' : 'no window'}\n`,
  );

  const runs: AppRun[] = [];
  const phases = options.queueFiles > 0 ? (['big', 'queue'] as const) : (['big'] as const);
  for (let run = 1; run <= options.runs; run++) {
    for (const phase of phases) {
      const r = await measureRun(entry, options, workDir, fixtures, phase, run);
      runs.push(r);
      console.log(formatAppRun(`run ${run}/${options.runs}`, r));
    }
  }

  let store: StoreRow[] = [];
  let storeError: string | undefined;
  if (fixtures.storeDir) {
    console.log('');
    const stateDir = join(workDir, 'store-state');
    try {
      const task: AppTask = {
        mode: 'store',
        dir: fixtures.storeDir,
        stateDir,
        jobCounts: options.storeJobs,
        saves: options.saves,
      };
      const { answer } = await runAppChild(entry, task, {
        timeoutMs: 600_000,
        window: false,
        profileDir: options.profileDir,
        profileName: 'store',
      });
      if (answer.type !== 'store') throw new Error(`the child answered ${answer.type}`);
      store = answer.rows;
      for (const row of store) console.log(formatStoreRow(row));
    } catch (error) {
      storeError = error instanceof Error ? error.message : String(error);
      console.log(`store  FAILED: ${storeError}`);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  }

  warnIfBusy('end');
  const input = {
    runs,
    bigSize: options.size,
    queueFiles: options.queueFiles,
    queueFileSize: options.queueFileSize,
    queueStore: options.queueStore,
    store,
    storeError,
  };
  console.log(`\n${summarizeApp({ ...input, command: commandLine() })}`);
  if (options.profileDir)
    console.log(
      `\nTop self times (CPU profiles in ${options.profileDir})\n${await describeProfiles(options.profileDir, { bundle: entry })}`,
    );
  if (runs.some((r) => r.error) || storeError) process.exitCode = 1;
}

/** The command as typed, so the figures in docs can be reproduced. */
function commandLine(): string {
  const args = process.argv
    .slice(2)
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`));
  if (process.env.npm_lifecycle_event === 'bench:app')
    return ['npm run bench:app', ...(args.length ? ['--', ...args] : [])].join(' ');
  return ['tsx', relative(process.cwd(), process.argv[1] ?? 'bench/app.bench.ts'), ...args].join(' ');
}

await runBench({ readOptions: readAppOptions, usage: appUsage, tempPrefix: 'ferry-app-bench-', main });
