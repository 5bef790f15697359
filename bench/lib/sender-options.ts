// Command-line flags of the sender benchmark.
import { parseArgs } from 'node:util';
import { parseSize } from '../../src/shared/units';
import { wholeNumber } from './bench-run';

export interface SenderBenchOptions {
  size: number;
  runs: number;
  smallFiles: number;
  smallSize: number;
  concurrency: number;
  queueFiles: number;
  /** One extra pass against a receiver without fsync. */
  noDurablePass: boolean;
  keep: boolean;
  /** Directory for V8 CPU profiles of the sender children, if set. */
  profileDir?: string;
  /** Run the sender children as TypeScript under tsx instead of bundled. */
  tsx: boolean;
}

export const senderUsage = `Usage: npm run bench:sender -- [options]
  --size <n>          big file size (default 1GiB; accepts 256MiB, 4GiB, ...)
  --runs <n>          alternating runs per sender (default 3)
  --quick             128 MiB, 1 run, 400 small files, 2000-file queue
  --small-files <n>   number of small files (default 2000; 0 skips the phase)
  --small-size <n>    size of each small file (default 16KiB)
  --concurrency <n>   small files in flight, for both senders (default 8)
  --queue-files <n>   files in the held queue (default 10000; 0 skips it)
  --skip-no-durable   skip the extra pass against a receiver without fsync
  --keep              keep the temp dir for inspection
  --tsx               run the senders under the tsx loader instead of bundled (adds ~77 MiB RSS)
  --profile <dir>     write .cpuprofile files per sender run into <dir>/<run>/`;

export function readSenderOptions(argv: string[]): SenderBenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      size: { type: 'string' },
      runs: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'small-files': { type: 'string' },
      'small-size': { type: 'string' },
      concurrency: { type: 'string' },
      'queue-files': { type: 'string' },
      'skip-no-durable': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      tsx: { type: 'boolean', default: false },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(senderUsage);
    process.exit(0);
  }
  const quick = values.quick;
  // --quick only changes defaults; explicit flags still win.
  const size = values.size !== undefined ? parseSize(values.size) : quick ? 128 * 2 ** 20 : 2 ** 30;
  if (size < 1) throw new RangeError('--size must be at least one byte');
  const smallSize = values['small-size'] !== undefined ? parseSize(values['small-size']) : 16 * 1024;
  if (smallSize < 1) throw new RangeError('--small-size must be at least one byte');
  return {
    size,
    runs: wholeNumber(values.runs, quick ? 1 : 3, '--runs'),
    smallFiles: wholeNumber(values['small-files'], quick ? 400 : 2000, '--small-files', true),
    smallSize,
    concurrency: wholeNumber(values.concurrency, 8, '--concurrency'),
    queueFiles: wholeNumber(values['queue-files'], quick ? 2000 : 10_000, '--queue-files', true),
    noDurablePass: !values['skip-no-durable'],
    keep: values.keep,
    tsx: values.tsx,
    profileDir: values.profile,
  };
}
