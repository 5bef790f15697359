// One measured sender run: name the files for this run, fork the sender, read
// the receiver's counters around the timed part, verify what landed, clean up.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { settleDisk } from './measure';
import type { ServerStats } from './protocol';
import { checkLanded, clearFailedRun, type Expected } from './landed';
import { linkAs } from './sender-fixtures';
import { runSenderChild } from './sender-process';
import type { SenderResult, SenderVariant } from './sender-protocol';
import type { ServerProcess } from './server-process';

export type Phase = 'big' | 'small';

export interface SenderRun {
  phase: Phase;
  /** Which receiver: 'durable' (fsync, the default) or 'no-durable'. */
  pass: string;
  run: number;
  variant: SenderVariant;
  result?: SenderResult;
  server?: ServerStats;
  checked?: 'sha256' | 'size';
  error?: string;
}

export interface Source {
  path: string;
  size: number;
  sha256: string;
}

export interface RunContext {
  server: ServerProcess;
  workDir: string;
  headers: Record<string, string>;
  concurrency: number;
  profileDir?: string;
  /** The sender child bundled to plain JavaScript, if the run uses it. */
  bundledEntry?: string;
  nodeFlags?: string[];
}

const warmUpFiles = 64;

/** Generous: a slow box must not fail a run, a hung sender must not stall the benchmark forever. */
function timeoutFor(sources: Source[]): number {
  const bytes = sources.reduce((sum, s) => sum + s.size, 0);
  return 120_000 + bytes / 2e3 + sources.length * 100;
}

export async function measureSend(
  ctx: RunContext,
  phase: Phase,
  pass: string,
  run: number,
  variant: SenderVariant,
  sources: Source[],
  hash: boolean,
): Promise<SenderRun> {
  const record: SenderRun = { phase, pass, run, variant };
  const tag = `${phase}-${variant.id}-${pass}-${run}`;
  const linkDir = join(ctx.workDir, 'links', tag);
  const names = sources.map((_, i) => (sources.length === 1 ? `${tag}.bin` : `${tag}-${i}.bin`));
  // Big files need no warm-up: a gigabyte swamps JIT and connection set-up.
  const warm = phase === 'small' ? sources.slice(0, Math.min(warmUpFiles, sources.length)) : [];
  const warmNames = warm.map((_, i) => `warm-${tag}-${i}.bin`);
  try {
    const paths = await linkAs(
      sources.map((s) => s.path),
      linkDir,
      names,
    );
    const warmUpPaths = await linkAs(
      warm.map((s) => s.path),
      join(linkDir, 'warm'),
      warmNames,
    );
    // The links (and, before the first run, the sources) go to disk now: a receiver's first fsync
    // would otherwise write them back inside the timed run, for whichever sender goes first.
    await settleDisk();
    record.result = await runSenderChild(
      {
        mode: 'send',
        variant,
        endpoint: ctx.server.endpoint,
        headers: ctx.headers,
        concurrency: ctx.concurrency,
        paths,
        warmUpPaths,
      },
      {
        timeoutMs: timeoutFor(sources),
        profileDir: ctx.profileDir,
        profileName: tag,
        beforeTimed: () => ctx.server.mark(),
        bundledEntry: ctx.bundledEntry,
        nodeFlags: ctx.nodeFlags,
      },
    );
    record.server = await ctx.server.stats();
    const expected: Expected[] = sources.map((s, i) => ({ filename: names[i]!, size: s.size, sha256: s.sha256 }));
    record.checked = await checkLanded(ctx.server.dir, expected, hash);
  } catch (error) {
    record.error = error instanceof Error ? error.message : String(error);
  } finally {
    // Warm-up files stay with the run's own until the pass ends (keptUntilPassEnds).
    await rm(linkDir, { recursive: true, force: true });
  }
  // A failed run may leave its landed files behind; they are named for this run only.
  if (record.error) await clearFailedRun(ctx.server.dir, names).catch(() => undefined);
  await settleDisk();
  return record;
}
