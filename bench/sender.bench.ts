// Sender benchmark: Ferry's upload pool against tus-js-client, both sending to
// the same Ferry receiver. The receiver and every sender run in their own child
// processes, so each one's RSS and CPU are its own; runs alternate.
// At scale: a held queue of 100,000 files (add, persist, restore in a new process), and 20,000 small
// files sent to Ferry's receiver, timed per thousand.
// Run: npm run bench:sender -- [--quick] [--size 1GiB] [--runs 3] [--only queue,scale] [--profile dir]
import { mkdir, rm } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { formatBytes } from '../src/shared/units';
import { runBench, warnIfBusy } from './lib/bench-run';
import { bundleSenderChild } from './lib/bundle-child';
import { createRandomFile } from './lib/files';
import type { ServerKind } from './lib/protocol';
import { runQueuePhase, runScalePhase } from './lib/scale-phases';
import type { QueueOutcome, ScaleOutcome } from './lib/scale-report';
import { createSmallSet } from './lib/sender-fixtures';
import { measureSend, type RunContext, type SenderRun } from './lib/sender-measure';
import { readSenderOptions, senderUsage, type SenderBenchOptions } from './lib/options';
import { formatSendRun, summarizeSender } from './lib/sender-report';
import { bigVariants, rotated, smallVariants } from './lib/sender-variants';
import { startServerProcess } from './lib/server-process';

interface Pass {
  id: string;
  kind: ServerKind;
  title: string;
  runs: number;
}

// The bench receiver runs without a token; the header is sent anyway so both
// senders carry the same per-request cost a real target would ask for.
const headers = { authorization: 'Bearer T' };
const warmUpSize = 64 * 2 ** 20;

async function main(options: SenderBenchOptions, workDir: string): Promise<void> {
  console.log(`Ferry sender benchmark — ${new Date().toISOString()}`);
  console.log(
    `Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${formatBytes(totalmem())} RAM`,
  );
  console.log(`Work dir ${workDir}`);
  warnIfBusy('start');

  const started = Date.now();
  const { phases } = options;
  const big = phases.has('big');
  const source = big ? await createRandomFile(join(workDir, 'source.bin'), options.size) : undefined;
  const warm =
    !source || options.size <= warmUpSize ? source : await createRandomFile(join(workDir, 'warm.bin'), warmUpSize);
  const smallFiles = phases.has('small') ? options.smallFiles : 0;
  const small = await createSmallSet(join(workDir, 'small-src'), smallFiles, options.smallSize);
  if (big || small.length > 0)
    console.log(
      `Sources: ${source ? `${formatBytes(source.size)} random file, ` : ''}${small.length} × ${formatBytes(options.smallSize)}, ` +
        `in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );

  // Senders run bundled on bare Node, as the app runs its engine; --tsx keeps the TypeScript entry.
  const bundledEntry = options.tsx ? undefined : await bundleSenderChild();
  console.log(
    bundledEntry
      ? 'Senders: bundled child on bare Node (esbuild)\n'
      : 'Senders: TypeScript child under the tsx loader\n',
  );

  const passes: Pass[] = [
    { id: 'durable', kind: 'ferry', title: 'receiver durable (fsync, default)', runs: options.runs },
  ];
  if (options.noDurablePass)
    passes.push({ id: 'no-durable', kind: 'ferry-fast', title: 'receiver --no-durable', runs: 1 });

  const runs: SenderRun[] = [];
  for (const pass of big || small.length > 0 ? passes : []) {
    const dir = join(workDir, `recv-${pass.id}`);
    await mkdir(dir, { recursive: true });
    const server = await startServerProcess(pass.kind, dir);
    const ctx: RunContext = {
      server,
      workDir,
      headers,
      concurrency: options.concurrency,
      profileDir: options.profileDir,
      bundledEntry,
      nodeFlags: options.senderNodeFlags,
    };
    try {
      console.log(`== ${pass.title}: ${server.endpoint}`);
      // One untimed upload per sender kind, so the receiver's JIT is warm for both.
      for (const variant of warm ? bigVariants.filter((v) => v.id === 'ferry' || v.id === 'tusjs') : []) {
        const w = await measureSend(
          { ...ctx, profileDir: undefined },
          'big',
          `${pass.id}-warm`,
          0,
          variant,
          [warm!],
          false,
        );
        if (w.error) console.log(`warm-up  ${variant.label}: FAILED: ${w.error}`);
      }

      if (source) console.log(`Big file: ${formatBytes(source.size)}, ${pass.runs} run(s) per sender, alternating`);
      for (let run = 1; source && run <= pass.runs; run++) {
        for (const variant of rotated(bigVariants, run)) {
          // Hash the landed file on each sender's first run; later runs check the size.
          const r = await measureSend(ctx, 'big', pass.id, run, variant, [source], run === 1);
          runs.push(r);
          console.log(formatSendRun(`run ${run}/${pass.runs}`, r));
        }
      }

      if (small.length > 0) {
        console.log(
          `\nSmall files: ${small.length} × ${formatBytes(options.smallSize)}, ${options.concurrency} at once`,
        );
        for (let run = 1; run <= pass.runs; run++) {
          for (const variant of rotated(smallVariants, run)) {
            // Small files are cheap to hash, so every run checks every file.
            const r = await measureSend(ctx, 'small', pass.id, run, variant, small, true);
            runs.push(r);
            console.log(formatSendRun(`run ${run}/${pass.runs}`, r));
          }
        }
      }
      console.log('');
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  }

  const scaleContext = {
    workDir,
    headers,
    bundledEntry,
    profileDir: options.profileDir,
    nodeFlags: options.senderNodeFlags,
  };
  let queue: QueueOutcome | undefined;
  if (phases.has('queue') && options.queueFiles > 0) queue = await runQueuePhase(scaleContext, options.queueFiles);
  let scale: ScaleOutcome | undefined;
  if (phases.has('scale') && options.scaleFiles > 0)
    scale = await runScalePhase(scaleContext, {
      files: options.scaleFiles,
      size: options.smallSize,
      concurrency: options.concurrency,
      bucket: options.scaleBucket,
    });

  warnIfBusy('end');
  console.log(`\n${summarizeSender({ runs, passes, bigSize: options.size, queue, scale, command: commandLine() })}`);
  if (runs.some((r) => r.error) || queue?.error || scale?.error) process.exitCode = 1;
}

/** The command as typed, so the figures in docs can be reproduced. */
function commandLine(): string {
  const args = process.argv
    .slice(2)
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`));
  if (process.env.npm_lifecycle_event === 'bench:sender')
    return ['npm run bench:sender', ...(args.length ? ['--', ...args] : [])].join(' ');
  return ['tsx', relative(process.cwd(), process.argv[1] ?? 'bench/sender.bench.ts'), ...args].join(' ');
}

await runBench({ readOptions: readSenderOptions, usage: senderUsage, tempPrefix: 'ferry-sender-bench-', main });
