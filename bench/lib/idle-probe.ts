// A control for loop-delay figures on a shared machine: an idle Node process
// measures its own event-loop delay while a run goes on. Whatever it sees is the
// operating system's scheduling (other work on the cores), not Ferry's code.
import { spawn } from 'node:child_process';
import type { LoopFigures } from './app-protocol';

// Same histogram and tick as the measured child; stdin closing ends it.
const script = `
const { monitorEventLoopDelay } = require('node:perf_hooks');
const tick = 10;
const loop = monitorEventLoopDelay({ resolution: tick });
loop.enable();
const beyond = (ns) => (loop.count === 0 ? 0 : Math.max(0, ns / 1e6 - tick));
process.stdin.resume();
process.stdin.on('end', () => {
  loop.disable();
  process.stdout.write(JSON.stringify({ p50Ms: beyond(loop.percentile(50)), p99Ms: beyond(loop.percentile(99)), maxMs: beyond(loop.max), samples: loop.count }));
});
`;

export interface IdleProbe {
  /** Stops the probe and returns what it measured. */
  stop(): Promise<LoopFigures>;
}

export function startIdleProbe(): IdleProbe {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop() {
      child.stdin.end();
      await exited;
      return JSON.parse(output) as LoopFigures;
    },
  };
}
