// What every benchmark entry point does around its measurements.
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Other work on the box skews every figure; say so rather than hide it. */
export function warnIfBusy(when: string): void {
  if (process.platform === 'win32') return;
  const [oneMinute = 0] = loadavg();
  const busy = oneMinute > 0.5 * cpus().length;
  console.log(
    `Load average (1 min) at ${when}: ${oneMinute.toFixed(2)}${busy ? '  ⚠ the machine is busy; figures will be noisy' : ''}`,
  );
}

/** A count flag: whole number, at least 1 (or 0 when `zeroOk`), `fallback` when absent. */
export function wholeNumber(text: string | undefined, fallback: number, flag: string, zeroOk = false): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < (zeroOk ? 0 : 1))
    throw new RangeError(`${flag} needs a whole number, got "${text}"`);
  return value;
}

/**
 * Parses the flags (exit 2 with usage on a bad one), runs `main` in a fresh temp dir, and removes it
 * afterwards, on failure and on Ctrl-C too, unless `keep` is set. A failure sets exit code 1.
 */
export async function runBench<T extends { keep: boolean }>(spec: {
  readOptions: (argv: string[]) => T;
  usage: string;
  tempPrefix: string;
  main: (options: T, workDir: string) => Promise<void>;
}): Promise<void> {
  let options: T;
  try {
    options = spec.readOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${spec.usage}`);
    process.exit(2);
  }
  const workDir = await mkdtemp(join(tmpdir(), spec.tempPrefix));
  const cleanUp = async () => {
    if (!options.keep) await rm(workDir, { recursive: true, force: true });
  };
  // Ctrl-C must not leave gigabytes behind; children exit when the IPC channel drops.
  process.once('SIGINT', () => {
    void cleanUp().finally(() => process.exit(130));
  });
  try {
    await spec.main(options, workDir);
  } catch (error) {
    console.error(`\nBenchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  } finally {
    await cleanUp();
  }
}
