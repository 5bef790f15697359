// Many small files, one request each, a fixed number in flight over
// keep-alive connections: measures per-file overhead rather than bandwidth.
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { locateStored, removeStored, type UploadRef } from './files';
import { settleDisk } from './measure';
import { protocolOf, type ServerStats } from './protocol';
import type { ServerProcess } from './server-process';
import { createUploadClient } from './upload-client';

export interface SmallFilesPlan {
  count: number;
  size: number;
  concurrency: number;
}

export interface SmallFilesResult {
  label: string;
  count: number;
  ms?: number;
  stats?: ServerStats;
  error?: string;
}

const warmUpCount = 64;

/** Distinct random content per file, sliced from one buffer to keep the client cheap. */
export function createPayloads(plan: SmallFilesPlan): Buffer[] {
  const pool = randomBytes(plan.size * Math.min(plan.count, 256));
  const slots = pool.length / plan.size;
  return Array.from({ length: plan.count }, (_, i) =>
    pool.subarray((i % slots) * plan.size, ((i % slots) + 1) * plan.size),
  );
}

export async function runSmallFiles(
  server: ServerProcess,
  plan: SmallFilesPlan,
  payloads: Buffer[],
  tag: string,
): Promise<SmallFilesResult> {
  const result: SmallFilesResult = { label: server.label, count: plan.count };
  const agent = new Agent({ keepAlive: true, maxSockets: plan.concurrency });
  try {
    // Warm up connections and JIT outside the timed window.
    await sendAll(server, agent, plan.concurrency, payloads.slice(0, warmUpCount), `warm-${tag}`);
    await server.mark();
    const start = performance.now();
    const refs = await sendAll(server, agent, plan.concurrency, payloads, tag);
    result.ms = performance.now() - start;
    result.stats = await server.stats();
    await checkAll(server, refs, plan.size);
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    agent.destroy();
  }
  await settleDisk();
  return result;
}

async function sendAll(
  server: ServerProcess,
  agent: Agent,
  concurrency: number,
  payloads: Buffer[],
  tag: string,
): Promise<UploadRef[]> {
  const client = createUploadClient(agent);
  const protocol = protocolOf(server.kind);
  const refs: UploadRef[] = new Array(payloads.length);
  let next = 0;
  const worker = async () => {
    while (next < payloads.length) {
      const index = next++;
      refs[index] = await client.sendSmall(server.endpoint, protocol, payloads[index]!, `${tag}-${index}.bin`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (tag.startsWith('warm-')) await removeStored(server.kind, await locateStored(server.kind, server.dir, refs));
  return refs;
}

/** Every file must exist with the right size; then it is removed. */
async function checkAll(server: ServerProcess, refs: UploadRef[], size: number): Promise<void> {
  const paths = await locateStored(server.kind, server.dir, refs);
  const sizes = await Promise.all(
    paths.map((path) =>
      path
        ? stat(path).then(
            (s) => s.size,
            () => -1,
          )
        : -1,
    ),
  );
  await removeStored(server.kind, paths);
  const bad = sizes.filter((stored) => stored !== size).length;
  if (bad > 0) throw new Error(`${bad} of ${refs.length} small files missing or the wrong size`);
}
