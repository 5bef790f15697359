#!/usr/bin/env node
// Headless receiver: `npm run serve -- [--host] [--port] [--dir] [--max-size] [--token | --no-auth] ...`
import { Command } from 'commander';
import { parseDuration, parseSize } from '../shared/units';
import { asDuration, asPort, asSize } from './cli-options';
import type { ServeOptions } from './serve-run';
import { asPin } from './share-terminal';

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
const opts = program.opts<ServeOptions>();
if (opts.lan && !opts.auth) program.error('ferry serve: --lan needs a token; it cannot be combined with --no-auth');

// Loaded only now: `--help` and usage errors above exit before the engine is loaded.
void import('./serve-run').then(({ runServe }) => runServe(opts));
