// Sender benchmark: Ferry's upload pool against tus-js-client, both sending to
// the same Ferry receiver. The receiver and every sender run in their own child
// processes, so each one's RSS and CPU are its own; runs alternate.
// Run: npm run bench:sender -- [--quick] [--size 1GiB] [--runs 3] [--profile dir]
import { mkdir, rm } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { formatBytes } from '../src/shared/units';
import { runBench, warnIfBusy } from './lib/bench-run';
import { bundleSenderChild } from './lib/bundle-child';
import { createRandomFile } from './lib/files';
import type { ServerKind } from './lib/protocol';
import { createSmallSet, createTinySet } from './lib/sender-fixtures';
import { measureSend, type RunContext, type SenderRun } from './lib/sender-measure';
import { readSenderOptions, senderUsage, type SenderBenchOptions } from './lib/options';
import { runSenderChild } from './lib/sender-process';
import type { SenderResult } from './lib/sender-protocol';
import { formatQueue, formatSendRun, summarizeSender } from './lib/sender-report';
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
  const source = await createRandomFile(join(workDir, 'source.bin'), options.size);
  const warm = options.size <= warmUpSize ? source : await createRandomFile(join(workDir, 'warm.bin'), warmUpSize);
  const small = await createSmallSet(join(workDir, 'small-src'), options.smallFiles, options.smallSize);
  const tinyDir = join(workDir, 'queue-src', 'tiny');
  if (options.queueFiles > 0) await createTinySet(tinyDir, options.queueFiles);
  console.log(
    `Sources: ${formatBytes(source.size)} random file, ${small.length} × ${formatBytes(options.smallSize)}, ` +
      `${options.queueFiles} tiny files, in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
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
  for (const pass of passes) {
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
    };
    try {
      console.log(`== ${pass.title}: ${server.endpoint}`);
      // One untimed upload per sender kind, so the receiver's JIT is warm for both.
      for (const variant of bigVariants.filter((v) => v.id === 'ferry' || v.id === 'tusjs')) {
        const w = await measureSend(
          { ...ctx, profileDir: undefined },
          'big',
          `${pass.id}-warm`,
          0,
          variant,
          [warm],
          false,
        );
        if (w.error) console.log(`warm-up  ${variant.label}: FAILED: ${w.error}`);
      }

      console.log(`Big file: ${formatBytes(source.size)}, ${pass.runs} run(s) per sender, alternating`);
      for (let run = 1; run <= pass.runs; run++) {
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

  let queue: SenderResult | undefined;
  let queueError: string | undefined;
  if (options.queueFiles > 0) {
    try {
      // No server needed: adding and holding jobs does not touch the network.
      queue = await runSenderChild(
        {
          mode: 'queue',
          endpoint: 'http://127.0.0.1:9/files/',
          headers,
          dir: tinyDir,
          statePath: join(workDir, 'queue-state.json'),
        },
        { timeoutMs: 300_000, profileDir: options.profileDir, profileName: 'queue', bundledEntry },
      );
      console.log(formatQueue(queue));
      if (queue.files !== options.queueFiles)
        throw new Error(`the queue holds ${queue.files} jobs, ${options.queueFiles} files were added`);
    } catch (error) {
      queueError = error instanceof Error ? error.message : String(error);
      console.log(`queue  FAILED: ${queueError}`);
    }
  }

  warnIfBusy('end');
  console.log(
    `\n${summarizeSender({ runs, passes, bigSize: source.size, queue, queueError, command: commandLine() })}`,
  );
  if (runs.some((r) => r.error) || queueError) process.exitCode = 1;
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
