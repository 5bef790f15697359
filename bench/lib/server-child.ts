// Child process entry: runs one server and measures it from the inside, so
// each server's RSS, CPU and event-loop delay are its own.
// argv: <kind> <dir>. Talks to the parent over IPC (see protocol.ts).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ChildMessage, ParentMessage, ServerKind, ServerStats } from './protocol';
import { startServer, type RunningServer } from './server-kinds';

const tickMs = 5;
const [kind, dir] = process.argv.slice(2) as [ServerKind, string];

function send(message: ChildMessage): void {
  process.send?.(message);
}

// If the benchmark dies, do not linger holding a port and a temp dir.
process.on('disconnect', () => process.exit(0));

let server: RunningServer;
try {
  server = await startServer(kind, dir);
} catch (error) {
  send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
}

const loop = monitorEventLoopDelay({ resolution: tickMs });
loop.enable();

let rssBefore = 0;
let rssPeak = 0;
let cpuStart = process.cpuUsage();
let sampler: NodeJS.Timeout | undefined;

function mark(): void {
  // Collect garbage left by the previous upload so the baseline is steady.
  (globalThis as { gc?: () => void }).gc?.();
  rssBefore = process.memoryUsage.rss();
  rssPeak = rssBefore;
  clearInterval(sampler);
  sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  }, 100);
  cpuStart = process.cpuUsage();
  loop.reset();
}

function stats(): ServerStats {
  clearInterval(sampler);
  const rssAfter = process.memoryUsage.rss();
  const cpu = process.cpuUsage(cpuStart);
  // The histogram counts the tick itself; subtract it to keep only the delay.
  const beyondTick = (ns: number) => (loop.count === 0 ? 0 : Math.max(0, ns / 1e6 - tickMs));
  return {
    rssBefore,
    rssAfter,
    rssPeak: Math.max(rssPeak, rssAfter),
    loopP99Ms: beyondTick(loop.percentile(99)),
    loopMaxMs: beyondTick(loop.max),
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

process.on('message', (message: ParentMessage) => {
  switch (message.type) {
    case 'mark':
      mark();
      send({ id: message.id, type: 'marked' });
      break;
    case 'stats':
      send({ id: message.id, type: 'stats', stats: stats() });
      break;
    case 'close':
      loop.disable();
      clearInterval(sampler);
      void server.close().finally(() => {
        send({ id: message.id, type: 'closed' });
        process.disconnect();
      });
      break;
  }
});

send({ type: 'ready', url: server.url });
