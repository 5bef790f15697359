#!/usr/bin/env node
// Headless sender: `npm run send -- FILE_OR_DIR ... --to http://HOST:PORT/files/ [--json]`
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { parseSize } from '../shared/units';
import { asCount, asDuration, asSize } from './cli-options';
import type { SendOptions } from './send-run';

const program = new Command()
  .name('ferry send')
  .description('Upload files or folders to a tus 1.0 endpoint, resumably')
  .argument('<paths...>', 'files or folders to send')
  .requiredOption('--to <url>', 'tus endpoint, e.g. http://127.0.0.1:8080/files/')
  .option('--token <token>', 'bearer token for the target')
  .option('--concurrency <n>', 'files at once', asCount, 4)
  .addOption(
    new Option('--chunk-size <size>', 'bytes per request (e.g. 8MiB, 64MiB)')
      .argParser(asSize)
      .default(parseSize('8MiB'), '8MiB'),
  )
  .option('--parallel <n>', 'chunks in flight per file (tus concatenation)', asCount, 1)
  .option('--limit-rate <rate>', 'bandwidth limit per second for all files', asSize)
  .addOption(
    new Option('--stall-timeout <duration>', 'abort and resume a request with no progress for this long (30, 90s, 2m)')
      .argParser(asDuration)
      .default(30_000, '30s'),
  )
  .option('--no-checksum', 'do not send per-chunk sha256 checksums')
  .option('--state <file>', 'where the resumable queue is kept', join(homedir(), '.ferry', 'send-queue.json'))
  .option('--json', 'print NDJSON progress events and a summary line', false)
  .option('--allow-duplicates', 'queue files even if already queued for this target', false)
  .option(
    '--growing',
    'the files are still being written: follow each until it stops growing, then declare its length',
    false,
  )
  .addOption(
    new Option('--growing-quiet <duration>', 'with --growing, how long a file must stand still to count as finished')
      .argParser(asDuration)
      .default(10_000, '10s'),
  )
  .showHelpAfterError();

program.parse();
const paths = program.args;
const opts = program.opts<SendOptions>();

try {
  new URL(opts.to);
} catch {
  console.error(`ferry send: --to must be a URL, got "${opts.to}"`);
  process.exit(2);
}

// Loaded only now: `--help` and usage errors above exit before the engine is loaded. The digest
// thread starts first, so it boots on the other core while this one loads the engine.
void import('../engine/crypto/digest-worker')
  .then(({ prestartDigestThread }) => prestartDigestThread())
  .then(() => import('./send-run'))
  .then(({ runSend }) => runSend(paths, opts));
