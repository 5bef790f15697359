import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testToken } from './http-kit';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  port: number;
  /** Resolves with how the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/**
 * Runs the headless CLI. It is started as `node --import tsx` rather than through `npx tsx` so that
 * the pid we signal is the server itself, not a wrapper that would leave an orphan holding the port.
 */
export function startServe(dir: string, port: number, extraArgs: string[] = []): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/serve.ts',
      '--dir',
      dir,
      '--port',
      String(port),
      '--token',
      testToken,
      '--log-level',
      'warn',
      ...extraArgs,
    ],
    {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start in time:\n${out}`));
    }, 30_000);
    const onData = () => {
      const match = /Listening on http:\/\/[^\s:]+:(\d+)/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({ child, port: Number(match[1]), exited, output: () => out });
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited early (code ${code}, signal ${signal}):\n${out}`));
    });
  });
}

/** Sends `signal` (if still running) and waits for the exit. */
export async function stopServe(server: ServeProcess, signal: NodeJS.Signals = 'SIGKILL') {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill(signal);
  return server.exited;
}
