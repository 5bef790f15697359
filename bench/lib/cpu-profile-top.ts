// Reads V8 .cpuprofile files: the functions with the most self time, and the
// ones inside long busy spans (no idle sample between them), which are what
// holds a turn of the event loop. Idle time is left out of the percentages.
import { readdir, readFile } from 'node:fs/promises';
import { SourceMap, type SourceMapping } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  /** Share of the time counted (busy time, or the long spans). */
  share: number;
}

interface Sample {
  frame: ProfileNode['callFrame'];
  us: number;
}

function samplesOf(profile: CpuProfile): Sample[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  return profile.samples.flatMap((id, i) => {
    const frame = byId.get(id);
    return frame ? [{ frame, us: profile.timeDeltas[i] ?? 0 }] : [];
  });
}

type Where = (frame: Sample['frame']) => string;

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Where a frame is: its source file and line through the bundle's source map, else the file it ran from. */
function whereOf(bundle?: { path: string; map: SourceMap }): Where {
  return (frame) => {
    if (!frame.url) return '';
    // Profile lines and columns are 0-based, as findEntry takes them.
    const entry =
      bundle && frame.url.endsWith(basename(bundle.path))
        ? (bundle.map.findEntry(frame.lineNumber, frame.columnNumber) as Partial<SourceMapping>)
        : {};
    if (entry.originalSource !== undefined && entry.originalLine !== undefined) {
      const source = resolve(dirname(bundle!.path), entry.originalSource.replace(/^file:\/\//, ''));
      return `${relative(repoRoot, source)}:${entry.originalLine + 1}`;
    }
    return `${basename(frame.url)}:${frame.lineNumber + 1}`;
  };
}

const isIdle = (sample: Sample) => sample.frame.functionName === '(idle)';

function rank(samples: Sample[], count: number, where: Where): SelfTime[] {
  const totals = new Map<string, number>();
  let all = 0;
  for (const sample of samples) {
    const key = `${sample.frame.functionName || '(anonymous)'}  ${where(sample.frame)}`.trimEnd();
    totals.set(key, (totals.get(key) ?? 0) + sample.us);
    all += sample.us;
  }
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => ({ name, ms: us / 1000, share: all > 0 ? us / all : 0 }));
}

export function topSelfTimes(
  profile: CpuProfile,
  count: number,
  where: Where = whereOf(),
): { busyMs: number; top: SelfTime[] } {
  const busy = samplesOf(profile).filter((sample) => !isIdle(sample));
  return { busyMs: busy.reduce((sum, s) => sum + s.us, 0) / 1000, top: rank(busy, count, where) };
}

/** Runs of busy samples at least `minMs` long: turns of the loop that kept everything else waiting. */
export function longSpans(
  profile: CpuProfile,
  minMs: number,
  count: number,
  where: Where = whereOf(),
): { spans: number[]; top: SelfTime[] } {
  const spans: Sample[][] = [];
  let current: Sample[] = [];
  const close = () => {
    if (current.reduce((sum, s) => sum + s.us, 0) / 1000 >= minMs) spans.push(current);
    current = [];
  };
  for (const sample of samplesOf(profile)) {
    if (isIdle(sample)) close();
    else current.push(sample);
  }
  close();
  const lengths = spans.map((span) => span.reduce((sum, s) => sum + s.us, 0) / 1000).sort((a, b) => b - a);
  return { spans: lengths, top: rank(spans.flat(), count, where) };
}

const line = (t: SelfTime) =>
  `  ${t.ms.toFixed(0).padStart(7)} ms ${(t.share * 100).toFixed(1).padStart(5)} %  ${t.name}`;

/**
 * Every profile under `dir` (one directory per run); worker threads get one line each. With the
 * bundle that ran (and its `.map` beside it), frames are named by their source file and line.
 */
export async function describeProfiles(
  dir: string,
  options: { bundle?: string; count?: number; spanMs?: number } = {},
): Promise<string> {
  const { count = 12, spanMs = 50 } = options;
  const map = options.bundle
    ? await readFile(`${options.bundle}.map`, 'utf8').then(
        (text) => new SourceMap(JSON.parse(text) as never),
        () => undefined,
      )
    : undefined;
  const where = whereOf(map && options.bundle ? { path: options.bundle, map } : undefined);
  const out: string[] = [];
  for (const run of (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory())) {
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread.
    const files = (await readdir(join(dir, run.name))).filter((name) => name.endsWith('.cpuprofile')).sort();
    for (const file of files) {
      const profile = JSON.parse(await readFile(join(dir, run.name, file), 'utf8')) as CpuProfile;
      const { busyMs, top } = topSelfTimes(profile, count, where);
      if (file.split('.')[4] !== '0') {
        out.push(
          `${run.name}  worker thread: ${(busyMs / 1000).toFixed(2)} s busy, mostly ${top[0]?.name ?? 'nothing'}`,
        );
        continue;
      }
      out.push(`${run.name}  main thread: ${(busyMs / 1000).toFixed(2)} s busy; top self time`);
      out.push(...top.map(line));
      const long = longSpans(profile, spanMs, count, where);
      const total = long.spans.reduce((sum, ms) => sum + ms, 0);
      out.push(
        `${run.name}  ${long.spans.length} busy spans ≥ ${spanMs} ms (${(total / 1000).toFixed(2)} s, longest ${long.spans
          .slice(0, 5)
          .map((ms) => ms.toFixed(0))
          .join(', ')} ms); self time inside them`,
      );
      out.push(...long.top.map(line));
    }
  }
  return out.join('\n');
}
