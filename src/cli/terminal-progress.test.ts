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
  const progress = createTerminalProgress(source, output);
  progress.start();
  progress.stop();
  expect(seen.text).toContain('total (100002 files)');
  expect(seen.text).toContain('a.bin');
  expect(seen.text).toContain('b.bin');
  // Looked up: the two running jobs, once per redraw; nothing of the 100,000 waiting ones.
  expect(source.job.mock.calls.map(([id]) => id).sort()).toEqual(['a', 'b']);
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
    const progress = createTerminalProgress(source, output);
    progress.start();
    vi.advanceTimersByTime(200);
    jobs.set('a', { ...job('a', 'failed'), error: { code: 'NOPE', message: 'the receiver said no' } } as UploadJob);
    running = [];
    // Away from a terminal the bars redraw every 2 s.
    vi.advanceTimersByTime(2400);
    progress.stop();
  } finally {
    vi.useRealTimers();
  }
  expect(seen.text).toContain('✗ a.bin: the receiver said no');
});
