// Command-line flags of the receiver benchmark.
import { parseArgs } from 'node:util';
import { parseSize } from '../../src/shared/units';
import { wholeNumber } from './bench-run';

export interface BenchOptions {
  size: number;
  runs: number;
  peersOnly: boolean;
  memorySweep: boolean;
  smallFiles: number;
  smallSize: number;
  concurrency: number;
  keep: boolean;
  /** Directory for V8 CPU profiles of the server children, if set. */
  profileDir?: string;
}

export const usage = `Usage: npm run bench:receiver -- [options]
  --size <n>        big upload size (default 1GiB; accepts 256MiB, 4GiB, ...)
  --runs <n>        alternating runs per server (default 3)
  --quick           128 MiB and 1 run
  --peers-only      only @tus/server and the bare pipe (no Ferry)
  --memory-sweep    also measure receiver RSS growth for 256 MiB, 1 GiB and 4 GiB
  --small-files <n> number of small files (default 2000; 0 skips the phase)
  --small-size <n>  size of each small file (default 16KiB)
  --concurrency <n> small files in flight (default 8)
  --keep            keep the temp dir for inspection
  --profile <dir>   write a .cpuprofile per server child into <dir>`;

export function readOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      size: { type: 'string' },
      runs: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'peers-only': { type: 'boolean', default: false },
      'memory-sweep': { type: 'boolean', default: false },
      'small-files': { type: 'string' },
      'small-size': { type: 'string' },
      concurrency: { type: 'string' },
      keep: { type: 'boolean', default: false },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  // --quick only sets defaults, so `--quick --runs 3` still means three runs.
  const size = values.size !== undefined ? parseSize(values.size) : values.quick ? 128 * 2 ** 20 : 2 ** 30;
  return {
    size,
    runs: wholeNumber(values.runs, values.quick ? 1 : 3, '--runs'),
    peersOnly: values['peers-only'],
    memorySweep: values['memory-sweep'],
    smallFiles: wholeNumber(values['small-files'], 2000, '--small-files', true),
    smallSize: values['small-size'] !== undefined ? parseSize(values['small-size']) : 16 * 1024,
    concurrency: wholeNumber(values.concurrency, 8, '--concurrency'),
    keep: values.keep,
    profileDir: values.profile,
  };
}
