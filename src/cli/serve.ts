#!/usr/bin/env node
// Headless receiver: `npm run serve -- [--host] [--port] [--dir] [--max-size] [--token | --no-auth] ...`
import { Command } from 'commander';
import { pino } from 'pino';
import { createReceiver } from '../engine/receiver/server';
import { parseDuration, parseSize } from '../shared/units';
import { asDuration, asPort, asSize } from './cli-options';

const program = new Command()
  .name('ferry serve')
  .description('Run Ferry\'s receiver: tus 1.0 on /files/, multipart on /upload, live progress on /ws')
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('--port <port>', 'port (0 picks a free one)', asPort, 0)
  .option('--dir <dir>', 'receive folder', './received')
  .option('--max-size <size>', 'largest accepted upload', asSize, parseSize('10GiB'))
  .option('--token <token>', 'access token (default: a random one per launch)')
  .option('--no-auth', 'accept requests without a token (trusted networks only)')
  .option('--cors-origin <origin...>', 'extra origins allowed for CORS and WebSocket', [])
  .option('--expire-after <duration>', 'expire incomplete uploads after this much inactivity', asDuration, parseDuration('24h'))
  .option('--idle-timeout <duration>', 'close connections idle this long', asDuration, parseDuration('60s'))
  .option('--no-durable', 'skip fsync before acknowledging (faster, less safe on power loss)')
  .option('--lan', 'also answer on this machine\'s LAN addresses', false)
  .option('--log-level <level>', 'pino log level', 'info')
  .showHelpAfterError();

program.parse();
const opts = program.opts<{
  host: string; port: number; dir: string; maxSize: number; token?: string; auth: boolean; corsOrigin: string[];
  expireAfter: number; idleTimeout: number; durable: boolean; lan: boolean; logLevel: string;
}>();

const logger = pino({ level: opts.logLevel }, pino.destination(2));
const receiver = createReceiver({
  host: opts.lan && opts.host === '127.0.0.1' ? '0.0.0.0' : opts.host,
  port: opts.port,
  dir: opts.dir,
  maxSize: opts.maxSize,
  token: opts.auth ? opts.token : null,
  corsOrigins: opts.corsOrigin,
  expireAfterMs: opts.expireAfter,
  idleTimeoutMs: opts.idleTimeout,
  durable: opts.durable,
  lan: opts.lan,
  logger,
});

try {
  const { url } = await receiver.listen();
  console.log(`Listening on ${url}`);
  console.log(`  tus endpoint:  ${url}/files/`);
  console.log(`  multipart:     ${url}/upload`);
  console.log(`  progress:      ${url.replace(/^http/, 'ws')}/ws`);
  console.log(`  receive folder: ${receiver.dir}`);
  if (receiver.token) console.log(`  token:         ${receiver.token}  (Authorization: Bearer …, or ?token=…)`);
  else console.log('  auth:          off (--no-auth)');
} catch (error) {
  console.error(`ferry serve: could not start: ${(error as Error).message}`);
  process.exit(1);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.error(`ferry serve: ${signal}, flushing in-flight uploads…`);
    receiver.close().then(
      () => process.exit(0),
      (error) => {
        console.error(`ferry serve: shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  });
}
