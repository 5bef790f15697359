import { PassThrough } from 'node:stream';
import { expect, it, vi } from 'vitest';
import type { OverallProgress } from '../engine/sender/upload-pool';
import type { UploadJob } from '../shared/upload-job';
import { createTerminalProgress } from './terminal-progress';

const job = (id: string, status: UploadJob['status'], acknowledged = 0): UploadJob =>
  ({ id, name: `${id}.bin`, size: 1000, acknowledged, status }) as UploadJob;

const totals = (counts: Partial<OverallProgress>): OverallProgress => ({
  files: 0,
  completed: 0,
  failed: 0,
  size: 0,
  acknowledged: 0,
  sent: 0,
  paused: 0,
  pending: 0,
  bytesPerSecond: 0,
  etaSeconds: null,
  ...counts,
});

/** Everything the bars write, as text. */
function captured() {
  const stream = new PassThrough();
  const seen = { text: '' };
  stream.on('data', (chunk: Buffer) => (seen.text += chunk.toString()));
  return { stream, seen };
}

it('draws the running files and the total from counts, never walking a long queue', () => {
  const queue = new Map<string, UploadJob>();
  for (let index = 0; index < 100_000; index++) queue.set(`q${index}`, job(`q${index}`, 'queued'));
  queue.set('a', job('a', 'running', 250));
  queue.set('b', job('b', 'running', 500));
  const running = ['a', 'b'];
  const source = {
    running: vi.fn(() => running.map((id) => queue.get(id)!)),
    job: vi.fn((id: string) => queue.get(id)),
    overall: () => totals({ files: queue.size, size: queue.size * 1000, acknowledged: 750, pending: queue.size }),
    latest: () => undefined,
  };
  const { stream: output, seen } = captured();
  const progress = createTerminalProgress(source, { output, bars: true });
  progress.start();
  progress.stop();
  expect(seen.text).toContain('total (100002 files)');
  expect(seen.text).toContain('a.bin');
  expect(seen.text).toContain('b.bin');
  // Looked up: only the running jobs it shows; nothing of the 100,000 waiting ones.
  expect(source.job.mock.calls.every(([id]) => id === 'a' || id === 'b')).toBe(true);
});

it('takes a bar down when its file is done, and says why a file failed', () => {
  const jobs = new Map<string, UploadJob>([['a', job('a', 'running')]]);
  let running = ['a'];
  const source = {
    running: () => running.map((id) => jobs.get(id)!),
    job: (id: string) => jobs.get(id),
    overall: () => totals({ files: 1, failed: 1, size: 1000 }),
    latest: () => undefined,
  };
  const { stream: output, seen } = captured();
  vi.useFakeTimers();
  try {
    const progress = createTerminalProgress(source, { output, bars: true });
    progress.start();
    vi.advanceTimersByTime(200);
    jobs.set('a', { ...job('a', 'failed'), error: { code: 'NOPE', message: 'the receiver said no' } } as UploadJob);
    running = [];
    vi.advanceTimersByTime(2400);
    progress.stop();
  } finally {
    vi.useRealTimers();
  }
  expect(seen.text).toContain('✗ a.bin: the receiver said no');
});

/**
 * A run of `rounds` redraws, 8 files at a time: at each, the 8 files of the last one end (as `endAs`
 * says, completed by default) and 8 others run. Returns what was written.
 */
function eightAtATime(
  rounds: number,
  bars: boolean,
  endAs: (id: string) => UploadJob = (id) => job(id, 'completed', 1000),
): string {
  const jobs = new Map<string, UploadJob>();
  let running: string[] = [];
  const source = {
    running: () => running.map((id) => jobs.get(id)!),
    job: (id: string) => jobs.get(id),
    overall: () => totals({ files: rounds * 8, size: rounds * 8000 }),
    latest: () => undefined,
  };
  const { stream: output, seen } = captured();
  vi.useFakeTimers();
  try {
    const progress = createTerminalProgress(source, { output, bars });
    progress.start();
    for (let round = 0; round < rounds; round++) {
      for (const id of running) jobs.set(id, endAs(id));
      running = Array.from({ length: 8 }, (_, i) => `f${round * 8 + i}`);
      for (const id of running) jobs.set(id, job(id, 'running', 500));
      vi.advanceTimersByTime(200);
    }
    progress.stop();
  } finally {
    vi.useRealTimers();
  }
  return seen.text;
}

it("gives a finished file's bar to the next one instead of redrawing everything for each file", () => {
  const text = eightAtATime(25, true);
  const redraws = text.split('total (200 files)').length - 1;
  // cli-progress redraws on its own clock (every 2 s away from a terminal), not once per finished file.
  expect(redraws).toBeGreaterThan(0);
  expect(redraws).toBeLessThan(25);
  expect(text).toContain('f199.bin');
});

it('shows 8 files at most, however many a bulk request runs at once', () => {
  const jobs = new Map<string, UploadJob>();
  for (let i = 0; i < 64; i++) jobs.set(`b${i}`, job(`b${i}`, 'running', 10));
  const source = {
    running: () => jobs.values(),
    job: (id: string) => jobs.get(id),
    overall: () => totals({ files: 64, size: 64_000 }),
    latest: () => undefined,
  };
  const { stream: output, seen } = captured();
  const progress = createTerminalProgress(source, { output, bars: true });
  progress.start();
  progress.stop();
  const named = [...jobs.keys()].filter((id) => seen.text.includes(`${id}.bin`));
  expect(named).toHaveLength(8);
});

it('writes no bars where there is no terminal, only a line for each file that failed', () => {
  const failing = (id: string) =>
    id === 'f77'
      ? ({ ...job(id, 'failed'), error: { code: 'NOPE', message: 'refused' } } as UploadJob)
      : job(id, 'completed', 1000);
  expect(eightAtATime(250, false, failing)).toBe('✗ f77.bin: refused\n');
});
