// Flags of the app benchmark (main's responsiveness and the electron-store save cost).
import { parseArgs } from 'node:util';
import { parseSize } from '../../src/shared/units';
import type { QueueStoreKind } from './app-protocol';
import { wholeNumber } from './bench-run';

export interface AppBenchOptions {
  size: number;
  runs: number;
  queueFiles: number;
  queueFileSize: number;
  queueStore: QueueStoreKind;
  storeJobs: number[];
  saves: number;
  window: boolean;
  keep: boolean;
  profileDir?: string;
}

export const appUsage = `Usage: npm run bench:app -- [options]
  --size <n>             big file sent to the embedded receiver (default 1GiB)
  --runs <n>             runs of each send (default 3)
  --quick                128 MiB, 1 run, 2000 queued files, 5 saves
  --queue-files <n>      small files queued in one drop (default 10000; 0 skips the phase)
  --queue-file-size <n>  size of each small file (default 1KiB)
  --queue-store <kind>   json (default: the file \`npm run send\` uses), memory, or electron-store (as the app)
  --store-jobs <list>    queue sizes for the electron-store save cost (default 100,1000,10000; 0 skips)
  --saves <n>            timed saves per queue size (default 20)
  --no-window            no /ws client: main without its window
  --keep                 keep the temp dir for inspection
  --profile <dir>        write a .cpuprofile per run into <dir>/<run>/ and print the top self times`;

const stores: readonly QueueStoreKind[] = ['json', 'memory', 'electron-store'];

export function readAppOptions(argv: string[]): AppBenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      size: { type: 'string' },
      runs: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'queue-files': { type: 'string' },
      'queue-file-size': { type: 'string' },
      'queue-store': { type: 'string' },
      'store-jobs': { type: 'string' },
      saves: { type: 'string' },
      'no-window': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(appUsage);
    process.exit(0);
  }
  const quick = values.quick;
  const queueStore = (values['queue-store'] ?? 'json') as QueueStoreKind;
  if (!stores.includes(queueStore))
    throw new RangeError(`--queue-store is one of ${stores.join(', ')}, got "${queueStore}"`);
  const storeJobs = (values['store-jobs'] ?? '100,1000,10000')
    .split(',')
    .map((part) => wholeNumber(part.trim(), 0, '--store-jobs', true));
  const bytes = (text: string | undefined, fallback: number, flag: string) => {
    const value = text === undefined ? fallback : parseSize(text);
    if (value < 1) throw new RangeError(`${flag} must be at least one byte`);
    return value;
  };
  return {
    size: bytes(values.size, quick ? 128 * 2 ** 20 : 2 ** 30, '--size'),
    runs: wholeNumber(values.runs, quick ? 1 : 3, '--runs'),
    queueFiles: wholeNumber(values['queue-files'], quick ? 2000 : 10_000, '--queue-files', true),
    queueFileSize: bytes(values['queue-file-size'], 1024, '--queue-file-size'),
    queueStore,
    storeJobs: storeJobs.filter((count) => count > 0),
    saves: wholeNumber(values.saves, quick ? 5 : 20, '--saves'),
    window: !values['no-window'],
    keep: values.keep,
    profileDir: values.profile,
  };
}
