// The ferry CLI in a child process, as a user runs it: its stdout line by line (NDJSON with --json), stderr whole.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { projectRoot } from '../../scripts/cli-bundle.mjs';

export interface CliRun {
  code: number | null;
  lines: string[];
  stderr: string;
}

/** `node <args…>` in the project folder, without blocking this process (which runs the receiver the CLI talks to). */
export function runNode(args: string[]): Promise<CliRun> {
  const child = spawn(process.execPath, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, lines, stderr })));
}
