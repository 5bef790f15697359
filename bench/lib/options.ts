// Command-line flags of both benchmarks: the flags they share are declared and read once here.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseSize } from '../../src/shared/units';
import { wholeNumber } from './bench-run';

/** What both benchmarks measure: a big upload, then a set of small files, with a temp dir to keep or drop. */
export interface SharedBenchOptions {
  size: number;
  runs: number;
  smallFiles: number;
  smallSize: number;
  concurrency: number;
  keep: boolean;
  /** Directory for V8 CPU profiles of the children, if set. */
  profileDir?: string;
}

export interface BenchOptions extends SharedBenchOptions {
  peersOnly: boolean;
  memorySweep: boolean;
}

/** What the sender benchmark can run; `--only` picks some. */
export const senderPhases = ['big', 'small', 'queue', 'scale'] as const;
export type SenderPhase = (typeof senderPhases)[number];

export interface SenderBenchOptions extends SharedBenchOptions {
  queueFiles: number;
  /** Small files sent in one long run, timed per `scaleBucket` files. */
  scaleFiles: number;
  scaleBucket: number;
  phases: Set<SenderPhase>;
  /** Extra Node/V8 flags for every sender child. */
  senderNodeFlags: string[];
  /** One extra pass against a receiver without fsync. */
  noDurablePass: boolean;
  /** Run the sender children as TypeScript under tsx instead of bundled. */
  tsx: boolean;
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

export const senderUsage = `Usage: npm run bench:sender -- [options]
  --size <n>          big file size (default 1GiB; accepts 256MiB, 4GiB, ...)
  --runs <n>          alternating runs per sender (default 3)
  --quick             128 MiB, 1 run, 400 small files, 2000-file queue, 2000 files at scale
  --small-files <n>   number of small files (default 2000; 0 skips the phase)
  --small-size <n>    size of each small file, here and at scale (default 16KiB)
  --concurrency <n>   small files in flight, for both senders and at scale (default 8)
  --queue-files <n>   files in the held queue: add, persist, restore in a new process (default 100000; 0 skips it)
  --scale-files <n>   small files Ferry sends in one run, timed per thousand (default 20000; 0 skips it)
  --scale-bucket <n>  files per timed stretch at scale (default 1000)
  --only <phases>     comma-separated: big, small, queue, scale (default: all)
  --sender-node-flags=<flags>  extra Node/V8 flags for every sender child, e.g. --sender-node-flags=--max-semi-space-size=16
  --skip-no-durable   skip the extra pass against a receiver without fsync
  --keep              keep the temp dir for inspection
  --tsx               run the senders under the tsx loader instead of bundled (adds ~77 MiB RSS)
  --profile <dir>     write .cpuprofile files per sender run into <dir>/<run>/`;

type FlagConfig = NonNullable<ParseArgsConfig['options']>;

const sharedFlags = {
  size: { type: 'string' },
  runs: { type: 'string' },
  quick: { type: 'boolean', default: false },
  'small-files': { type: 'string' },
  'small-size': { type: 'string' },
  concurrency: { type: 'string' },
  keep: { type: 'boolean', default: false },
  profile: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies FlagConfig;

type SharedValues = {
  size?: string;
  runs?: string;
  quick: boolean;
  'small-files'?: string;
  'small-size'?: string;
  concurrency?: string;
  keep: boolean;
  profile?: string;
  help: boolean;
};

/** Parses the shared flags plus a benchmark's own (strict: any other flag is an error); --help prints `usageText` and exits. */
function parseFlags<const Own extends FlagConfig>(argv: string[], own: Own, usageText: string) {
  const { values } = parseArgs({ args: argv, strict: true, options: { ...sharedFlags, ...own } });
  if ((values as SharedValues).help) {
    console.log(usageText);
    process.exit(0);
  }
  return values;
}

function byteSize(text: string | undefined, fallback: number, flag: string): number {
  const bytes = text !== undefined ? parseSize(text) : fallback;
  if (bytes < 1) throw new RangeError(`${flag} must be at least one byte`);
  return bytes;
}

/** The shared flags; --quick only changes defaults, so explicit flags still win (`--quick --runs 3` means three runs). */
function readShared(values: SharedValues, quickSmallFiles: number): SharedBenchOptions {
  const quick = values.quick;
  return {
    size: byteSize(values.size, quick ? 128 * 2 ** 20 : 2 ** 30, '--size'),
    runs: wholeNumber(values.runs, quick ? 1 : 3, '--runs'),
    smallFiles: wholeNumber(values['small-files'], quick ? quickSmallFiles : 2000, '--small-files', true),
    smallSize: byteSize(values['small-size'], 16 * 1024, '--small-size'),
    concurrency: wholeNumber(values.concurrency, 8, '--concurrency'),
    keep: values.keep,
    profileDir: values.profile,
  };
}

/** Flags of the receiver benchmark. */
export function readOptions(argv: string[]): BenchOptions {
  const values = parseFlags(
    argv,
    {
      'peers-only': { type: 'boolean', default: false },
      'memory-sweep': { type: 'boolean', default: false },
    },
    usage,
  );
  return {
    // --quick leaves the small-file count alone here.
    ...readShared(values, 2000),
    peersOnly: values['peers-only'],
    memorySweep: values['memory-sweep'],
  };
}

/** Flags of the sender benchmark. */
export function readSenderOptions(argv: string[]): SenderBenchOptions {
  const values = parseFlags(
    argv,
    {
      'queue-files': { type: 'string' },
      'scale-files': { type: 'string' },
      'scale-bucket': { type: 'string' },
      only: { type: 'string' },
      'sender-node-flags': { type: 'string' },
      'skip-no-durable': { type: 'boolean', default: false },
      tsx: { type: 'boolean', default: false },
    },
    senderUsage,
  );
  return {
    ...readShared(values, 400),
    queueFiles: wholeNumber(values['queue-files'], values.quick ? 2000 : 100_000, '--queue-files', true),
    scaleFiles: wholeNumber(values['scale-files'], values.quick ? 2000 : 20_000, '--scale-files', true),
    scaleBucket: wholeNumber(values['scale-bucket'], 1000, '--scale-bucket'),
    phases: phasesOf(values.only),
    senderNodeFlags: (values['sender-node-flags'] ?? '').split(/\s+/).filter(Boolean),
    noDurablePass: !values['skip-no-durable'],
    tsx: values.tsx,
  };
}

function phasesOf(text: string | undefined): Set<SenderPhase> {
  if (text === undefined) return new Set(senderPhases);
  const picked = text.split(',').map((item) => item.trim());
  const unknown = picked.filter((item) => !(senderPhases as readonly string[]).includes(item));
  if (unknown.length > 0 || picked.length === 0)
    throw new RangeError(`--only takes ${senderPhases.join(', ')}; got "${text}"`);
  return new Set(picked as SenderPhase[]);
}
