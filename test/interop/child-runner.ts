// Child processes for the kill tests. Always `node --import tsx`, never `npx tsx`: npx would put a
// wrapper process between us and the real one, and a SIGKILL would hit the wrapper only.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { token, waitFor } from './fixtures';
import type { ChildConfig, ChildRecord } from './tus-upload-child';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const uploaderScript = fileURLToPath(new URL('./tus-upload-child.ts', import.meta.url));

export interface ChildRun {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running; safe to call twice. */
  kill(): Promise<void>;
}

export function runTsx(script: string, args: string[]): ChildRun {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    // Bounded: a chatty child must not grow the test's memory.
    stderr = (stderr + text).slice(-20_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface UploaderRun extends ChildRun {
  records(): ChildRecord[];
}

export function runUploader(config: ChildConfig): UploaderRun {
  const run = runTsx(uploaderScript, [JSON.stringify(config)]);
  return { ...run, records: () => run.lines.map((line) => JSON.parse(line) as ChildRecord) };
}

export interface ServeRun extends ChildRun {
  url: string;
}

/** Starts the headless receiver CLI and waits for its "Listening on" line. */
export async function startServe(port: number, dir: string): Promise<ServeRun> {
  const run = runTsx(fileURLToPath(new URL('../../src/cli/serve.ts', import.meta.url)), [
    '--dir',
    dir,
    '--port',
    String(port),
    '--token',
    token,
    '--log-level',
    'warn',
  ]);
  let early: string | undefined;
  void run.exited.then(({ code, signal }) => {
    early = `serve exited early (code ${code}, signal ${signal}): ${run.stderr()}`;
  });
  const url = await waitFor(
    'serve to listen',
    () => {
      if (early) throw new Error(early);
      const line = run.lines.find((entry) => entry.startsWith('Listening on '));
      return line?.slice('Listening on '.length).trim();
    },
    60_000,
    20,
  );
  return { ...run, url };
}
