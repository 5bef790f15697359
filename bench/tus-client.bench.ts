// Micro-benchmark of the tus client's own cost per request: many small creations (creation-with-upload
// of a tiny body) into a Ferry receiver in its own process, so the CPU read here is the client's.
// Run: npx tsx bench/tus-client.bench.ts [--creations 2000] [--concurrency 8] [--rounds 3] [--server ferry|tus]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTusClient, type TusTarget } from '../src/engine/sender';
import { wholeNumber, warnIfBusy } from './lib/bench-run';
import { startServerProcess } from './lib/server-process';
import { fixed, median } from './lib/stats';

const { values } = parseArgs({
  options: {
    creations: { type: 'string' },
    concurrency: { type: 'string' },
    rounds: { type: 'string' },
    server: { type: 'string', default: 'ferry' },
  },
});
const creations = wholeNumber(values.creations, 2000, '--creations');
const concurrency = wholeNumber(values.concurrency, 8, '--concurrency');
const rounds = wholeNumber(values.rounds, 3, '--rounds');
if (values.server !== 'ferry' && values.server !== 'tus') throw new RangeError('--server is ferry or tus');
// Ferry without fsync, or @tus/server: either way the receiver's own cost stays out of the client's figure.
const serverKind = values.server === 'ferry' ? 'ferry-fast' : 'tus';
const body = Buffer.alloc(1024, 7);

async function createMany(target: TusTarget, count: number): Promise<{ cpuMs: number; ms: number }> {
  const client = createTusClient();
  let next = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const index = next++;
          const created = await client.create(target, {
            length: body.length,
            metadata: { filename: `tiny-${index}.bin` },
            body,
          });
          if (created.offset !== body.length) throw new Error(`creation ${index} stored ${created.offset} bytes`);
        }
      }),
    );
  } finally {
    client.close();
  }
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, ms: performance.now() - start };
}

const dir = await mkdtemp(join(tmpdir(), 'ferry-client-bench-'));
const server = await startServerProcess(serverKind, dir);
try {
  warnIfBusy('start');
  const target = { endpoint: server.endpoint, headers: { authorization: 'Bearer T' } };
  // Warms the JIT on both sides and the receiver's folders.
  await createMany(target, 200);
  const perRequest: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const { cpuMs, ms } = await createMany(target, creations);
    perRequest.push((cpuMs * 1000) / creations);
    console.log(
      `round ${round}: ${creations} creations, ${concurrency} at once: ${fixed(ms / 1000, 2)} s, ` +
        `client CPU ${fixed(cpuMs / 1000, 2)} s = ${fixed((cpuMs * 1000) / creations, 0)} µs per request`,
    );
  }
  console.log(`median client CPU per request: ${fixed(median(perRequest), 0)} µs`);
  warnIfBusy('end');
} finally {
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
