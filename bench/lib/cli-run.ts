// Runs a command as a user would from a shell and reads what bash's `time` says of it: wall time,
// and the user and system CPU of the process and everything it started (threads, children).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface TimedRun {
  wallMs: number;
  cpuMs: number;
  code: number | null;
  stderr: string;
}

const marker = 'FERRY-BENCH-TIME';

export function timeCommand(command: string[], options: { timeoutMs: number }): Promise<TimedRun> {
  // TIMEFORMAT goes to stderr after the command; the command's own output is kept apart by its marker.
  const script = `TIMEFORMAT='${marker} %3R %3U %3S'; time "$@" > /dev/null`;
  const child = spawn('bash', ['-c', script, 'bash', ...command], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stderr.split('\n').find((text) => text.startsWith(marker));
      if (!line) return reject(new Error(`no timing from bash (exit ${code}): ${stderr.trim().slice(-400)}`));
      const [real, user, sys] = line.slice(marker.length).trim().split(/\s+/).map(Number) as [number, number, number];
      const own = stderr
        .split('\n')
        .filter((text) => !text.startsWith(marker))
        .join('\n')
        .trim();
      resolve({ wallMs: real * 1000, cpuMs: (user + sys) * 1000, code, stderr: own });
    });
  });
}

/** CPU a running process has used so far (user + system, every thread), from /proc. */
export async function processCpuMs(child: ChildProcess): Promise<number> {
  const stat = await readFile(`/proc/${child.pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may itself hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100;
  return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000;
}

/**
 * CPU time the hypervisor gave to others while this machine's cores wanted it (steal), all cores
 * together, from /proc/stat; 0 where there is none. On a shared virtual machine it moves wall times
 * by more than most code changes do, so each run says how much it lost.
 */
export async function hostStealMs(): Promise<number> {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => '');
  const fields = stat.split('\n', 1)[0]!.trim().split(/\s+/);
  // cpu user nice system idle iowait irq softirq steal …, in ticks of 1/100 s.
  return fields[0] === 'cpu' && fields.length > 8 ? Number(fields[8]) * 10 : 0;
}
