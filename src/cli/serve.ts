#!/usr/bin/env node
// Headless receiver: `npm run serve -- [--host] [--port] [--dir] [--max-size] [--token | --no-auth] ...`
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { pino } from 'pino';
import { createReceiver } from '../engine/receiver/server';
import { parseDuration, parseSize } from '../shared/units';
import { asDuration, asPort, asSize } from './cli-options';
import { startedByNpm, watchParent } from './parent-watch';
import { announceSharing, asPin, createTerminalDecider } from './share-terminal';

const program = new Command()
  .name('ferry serve')
  .description("Run Ferry's receiver: tus 1.0 on /files/, multipart on /upload, live progress on /ws")
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('--port <port>', 'port (0 picks a free one)', asPort, 0)
  .option('--dir <dir>', 'receive folder', './received')
  .option('--max-size <size>', 'largest accepted upload', asSize, parseSize('10GiB'))
  .option('--token <token>', 'access token (default: a random one per launch)')
  .option('--no-auth', 'accept requests without a token (trusted networks only)')
  .option('--cors-origin <origin...>', 'extra origins allowed for CORS and WebSocket', [])
  .option(
    '--expire-after <duration>',
    'expire incomplete uploads after this much inactivity',
    asDuration,
    parseDuration('24h'),
  )
  .option('--idle-timeout <duration>', 'close connections idle this long', asDuration, parseDuration('60s'))
  .option('--no-durable', 'skip fsync before acknowledging (faster, less safe on power loss)')
  .option(
    '--lan [address...]',
    "share with phones and other computers: also listen on these addresses (default: this machine's LAN addresses), print a link and QR code",
  )
  .option('--pin <pin>', 'with --lan: the page asks for this PIN first (4 to 12 digits)', asPin)
  .option('--accept', 'with --lan: each new device waits until you answer y/n here', false)
  .option(
    '--share-idle <duration>',
    'with --lan: sharing turns off after this long without a request',
    asDuration,
    parseDuration('15m'),
  )
  .option('--log-level <level>', 'pino log level', 'info')
  .showHelpAfterError();

program.parse();
const opts = program.opts<{
  host: string;
  port: number;
  dir: string;
  maxSize: number;
  token?: string;
  auth: boolean;
  corsOrigin: string[];
  expireAfter: number;
  idleTimeout: number;
  durable: boolean;
  lan?: true | string[];
  pin?: string;
  accept: boolean;
  shareIdle: number;
  logLevel: string;
}>();
if (opts.lan && !opts.auth) program.error('ferry serve: --lan needs a token; it cannot be combined with --no-auth');

const logger = pino({ level: opts.logLevel }, pino.destination(2));
const receiver = createReceiver({
  host: opts.host,
  port: opts.port,
  dir: opts.dir,
  maxSize: opts.maxSize,
  token: opts.auth ? opts.token : null,
  corsOrigins: opts.corsOrigin,
  expireAfterMs: opts.expireAfter,
  idleTimeoutMs: opts.idleTimeout,
  durable: opts.durable,
  // The built phone page sits at out/web both from src/cli and from the bundled dist/cli.
  webRoot: fileURLToPath(new URL('../../out/web', import.meta.url)),
  ...(opts.lan && opts.accept ? { acceptGuest: createTerminalDecider(process.stdin, process.stdout) } : {}),
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
  if (opts.lan) {
    const shared = await receiver.sharing.start({
      addresses: opts.lan === true ? [] : opts.lan,
      pin: opts.pin ?? null,
      requireAccept: opts.accept,
      idleMs: opts.shareIdle,
    });
    await announceSharing(receiver, shared, { pin: opts.pin });
  }
} catch (error) {
  console.error(`ferry serve: could not start: ${(error as Error).message}`);
  process.exit(1);
}

let stopping = false;
function stop(why: string): void {
  if (stopping) process.exit(1);
  stopping = true;
  console.error(`ferry serve: ${why}, flushing in-flight uploads…`);
  receiver.close().then(
    () => process.exit(0),
    (error) => {
      console.error(`ferry serve: shutdown failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop(signal));
// Under `npm run`, a SIGTERM to npm can end the shell between us without reaching this process.
if (startedByNpm()) watchParent(() => !stopping && stop('npm exited'));
