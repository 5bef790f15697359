// Digest pool benchmark: the same hashing work through pools of different sizes, runs alternated.
// Run: npx tsx bench/digest-pool.bench.ts -- [--sizes 1,2,3] [--streams 3] [--mib 256] [--runs 3]
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createDigestPool } from '../src/engine/crypto/digest-pool';
import type { DigestWorker } from '../src/engine/crypto/digest-worker';
import { median } from './lib/stats';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    sizes: { type: 'string', default: '1,2,3' },
    streams: { type: 'string', default: '3' },
    mib: { type: 'string', default: '256' },
    runs: { type: 'string', default: '3' },
  },
});
const poolSizes = values.sizes.split(',').map(Number);
const streams = Number(values.streams);
const bytesPerStream = Number(values.mib) * 2 ** 20;
const runs = Number(values.runs);
const pieceBytes = 2 ** 20;
/** Pieces in flight per stream, as the sender's read ring keeps them. */
const ring = 4;

interface Sample {
  wallS: number;
  cpuS: number;
  /** Only for "a stream beside a file pass": how long the stream took. */
  streamS?: number;
}

async function timed(work: () => Promise<number | void>): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const streamMs = await work();
  const used = process.cpuUsage(cpu);
  return {
    wallS: (performance.now() - start) / 1000,
    cpuS: (used.user + used.system) / 1e6,
    streamS: typeof streamMs === 'number' ? streamMs / 1000 : undefined,
  };
}

/** One stream: `bytes` in 1 MiB shared pieces, each piece reused once its hash is done. */
async function hashStream(digests: DigestWorker, bytes: number): Promise<void> {
  const pieces = Array.from({ length: ring }, () => {
    const piece = Buffer.from(new SharedArrayBuffer(pieceBytes));
    randomBytes(pieceBytes).copy(piece);
    return piece;
  });
  const hashing: Promise<void>[] = [];
  const session = digests.start('sha256');
  for (let turn = 0; turn * pieceBytes < bytes; turn++) {
    await hashing[turn % ring];
    hashing[turn % ring] = session.updateShared(pieces[turn % ring]!);
  }
  await Promise.all(hashing);
  await session.finish();
}

const workloads: Record<string, (digests: DigestWorker, file: string) => Promise<number | void>> = {
  [`${streams} streams at once`]: async (digests) => {
    await Promise.all(Array.from({ length: streams }, () => hashStream(digests, bytesPerStream)));
  },
  [`${streams} file passes at once`]: async (digests, file) => {
    await Promise.all(Array.from({ length: streams }, () => digests.digestFile('sha256', file)));
  },
  // A seal's whole-file pass while another upload streams: does the stream wait behind it?
  'a stream beside a file pass': async (digests, file) => {
    const pass = digests.digestFile('sha256', file);
    const start = performance.now();
    await hashStream(digests, bytesPerStream / 4);
    const streamMs = performance.now() - start;
    await pass;
    return streamMs;
  },
};

async function main(): Promise<void> {
  console.log(
    `Digest pool benchmark — ${new Date().toISOString()}, Node ${process.version}, ` +
      `${availableParallelism()} × ${cpus()[0]?.model ?? 'unknown CPU'}, load ${loadavg()[0]!.toFixed(2)}`,
  );
  console.log(`${streams} × ${values.mib} MiB per workload, pools of ${poolSizes.join(', ')}, ${runs} runs\n`);
  const dir = await mkdtemp(join(tmpdir(), 'digest-pool-bench-'));
  try {
    const file = join(dir, 'source.bin');
    await writeFile(file, randomBytes(bytesPerStream));
    const samples = new Map<string, Sample[]>();
    for (let run = 1; run <= runs; run++)
      for (const [name, work] of Object.entries(workloads))
        for (const size of poolSizes) {
          const digests = createDigestPool({ size });
          const sample = await timed(() => work(digests, file));
          await digests.close();
          const key = `${name} | ${size}`;
          samples.set(key, [...(samples.get(key) ?? []), sample]);
          console.log(
            `run ${run}: ${key} thread(s): ${sample.wallS.toFixed(2)} s wall, ${sample.cpuS.toFixed(2)} s CPU`,
          );
        }
    console.log(`\n| workload | threads | wall s (median, range) | CPU s | GB/s | stream s |`);
    console.log(`|---|---:|---:|---:|---:|---:|`);
    for (const [key, list] of samples) {
      const [name, size] = key.split(' | ');
      const walls = list.map((sample) => sample.wallS);
      const gigabytes = (name!.startsWith('a stream') ? bytesPerStream * 1.25 : bytesPerStream * streams) / 1e9;
      const stream = list.every((sample) => sample.streamS !== undefined)
        ? median(list.map((sample) => sample.streamS!)).toFixed(2)
        : '';
      console.log(
        `| ${name} | ${size} | ${median(walls).toFixed(2)} (${Math.min(...walls).toFixed(2)}–${Math.max(...walls).toFixed(2)}) ` +
          `| ${median(list.map((sample) => sample.cpuS)).toFixed(2)} | ${(gigabytes / median(walls)).toFixed(2)} | ${stream} |`,
      );
    }
    console.log(`\nLoad average at the end: ${loadavg()[0]!.toFixed(2)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
