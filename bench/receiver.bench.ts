// Receiver benchmark: Ferry against @tus/server and a bare Node pipe, each
// server in its own child process, one lean client for all, runs alternated.
// Run: npm run bench:receiver -- [--quick] [--size 256MiB] [--runs 3] [--memory-sweep] [--peers-only]
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatBytes } from '../src/shared/units';
import { runBench, warnIfBusy } from './lib/bench-run';
import { createRandomFile, type SourceFile } from './lib/files';
import { measureUpload, type Measurement } from './lib/measure';
import { runMemorySweep, type SweepPoint } from './lib/memory-sweep';
import { readOptions, usage, type BenchOptions } from './lib/options';
import { serverLabels, type ServerKind } from './lib/protocol';
import { formatRun, formatSmall, formatSweepPoint, summarize } from './lib/report';
import { startServerProcess, type ServerProcess } from './lib/server-process';
import { createPayloads, runSmallFiles, type SmallFilesResult } from './lib/small-files';
import { createUploadClient, type UploadClient } from './lib/upload-client';

const ferrySource = fileURLToPath(new URL('../src/engine/receiver/server.ts', import.meta.url));

async function main(options: BenchOptions, workDir: string): Promise<void> {
  const kinds: ServerKind[] = options.peersOnly ? ['tus', 'pipe'] : ['ferry', 'ferry-fast', 'tus', 'pipe'];
  if (!options.peersOnly && !existsSync(ferrySource)) {
    throw new Error(
      `Ferry's receiver (${ferrySource}) does not exist yet; run with --peers-only to measure the peers.`,
    );
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Ferry receiver benchmark — ${new Date().toISOString()}`);
  console.log(
    `Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} × ${cpu}, ${formatBytes(totalmem())} RAM`,
  );
  console.log(`Work dir ${workDir}`);
  warnIfBusy('start');
  console.log('');

  const started = Date.now();
  const source = await createRandomFile(join(workDir, 'source.bin'), options.size);
  console.log(
    `Source: ${formatBytes(source.size)} of random bytes in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );

  const servers: ServerProcess[] = [];
  const big: Measurement[] = [];
  const small: SmallFilesResult[] = [];
  try {
    for (const kind of kinds) {
      const dir = join(workDir, `recv-${kind}`);
      await mkdir(dir, { recursive: true });
      servers.push(await startServerProcess(kind, dir, options.profileDir));
    }

    const client = createUploadClient(false);
    await warmUp(servers, client, workDir, source);

    console.log(`Big upload: ${formatBytes(source.size)}, ${options.runs} run(s) per server, alternating`);
    for (let run = 1; run <= options.runs; run++) {
      for (const server of servers) {
        // Hash the stored file on the first run; later runs check the size.
        const m = await measureUpload(server, client, source, `big-${server.kind}-${run}.bin`, run === 1);
        big.push(m);
        console.log(formatRun(`run ${run}/${options.runs}`, m));
      }
    }

    if (options.smallFiles > 0) {
      const plan = { count: options.smallFiles, size: options.smallSize, concurrency: options.concurrency };
      console.log(`\nSmall files: ${plan.count} × ${formatBytes(plan.size)}, ${plan.concurrency} at once, keep-alive`);
      const payloads = createPayloads(plan);
      // The bare pipe stays in: one PUT per file is the ceiling of plain Node http.
      for (let run = 1; run <= options.runs; run++) {
        for (const server of servers) {
          const r = await runSmallFiles(server, plan, payloads, `small-${server.kind}-${run}`);
          small.push(r);
          console.log(formatSmall(`run ${run}/${options.runs}`, r));
        }
      }
    }
  } finally {
    await Promise.all(servers.map((server) => server.close()));
  }

  const sweep: { label: string; points: SweepPoint[] }[] = [];
  if (options.memorySweep) {
    const sweepKinds: ServerKind[] = options.peersOnly ? ['tus', 'pipe'] : ['ferry', 'tus'];
    console.log(`\nMemory sweep: ${sweepKinds.map((k) => serverLabels[k]).join(', ')}`);
    const points = await runMemorySweep(sweepKinds, workDir, source, (p) =>
      console.log(formatSweepPoint(serverLabels[p.kind], p)),
    );
    for (const kind of sweepKinds)
      sweep.push({ label: serverLabels[kind], points: points.filter((p) => p.kind === kind) });
  }

  warnIfBusy('end');
  const command = ['npm run bench:receiver', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(
    ' ',
  );
  console.log(
    `\n${summarize({ labels: kinds.map((k) => serverLabels[k]), big, small, sweep, bigSize: source.size, command })}`,
  );
  const broken =
    big.some((m) => m.error) ||
    small.some((r) => r.error) ||
    sweep.some((s) => s.points.some((p) => p.measurement.error));
  if (broken) process.exitCode = 1;
}

/**
 * One untimed upload per server first, so JIT warm-up and first-use buffers
 * do not land in run 1 of whichever server happens to go first.
 */
async function warmUp(
  servers: ServerProcess[],
  client: UploadClient,
  workDir: string,
  source: SourceFile,
): Promise<void> {
  const size = Math.min(source.size, 64 * 2 ** 20);
  const warm = size === source.size ? source : await createRandomFile(join(workDir, 'warm-up.bin'), size);
  for (const server of servers) {
    const m = await measureUpload(server, client, warm, `warm-up-${server.kind}.bin`, false);
    if (m.error) console.log(`warm-up  ${server.label}: FAILED: ${m.error}`);
  }
  if (warm !== source) await rm(warm.path, { force: true });
}

await runBench({ readOptions, usage, tempPrefix: 'ferry-bench-', main });
