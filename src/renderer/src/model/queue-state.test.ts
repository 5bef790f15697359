import { describe, expect, it } from 'vitest';
import type { JobView } from '../../../shared/ipc/job-view';
import type { ProgressEvent } from '../../../shared/progress-event';
import { applyQueueChange, createRowDeriver, emptyOverall, queueFromSnapshot } from './queue-state';
import { applyServerMessage, foldServerMessage, isNewlyCompleted, noEvents } from './receiver-events';

const job = (id: string, overrides: Partial<JobView> = {}): JobView => ({
  id,
  name: `${id}.bin`,
  folder: '',
  size: 100,
  status: 'running',
  phase: 'uploading',
  acknowledged: 10,
  sent: 10,
  bytesPerSecond: 1,
  etaSeconds: 1,
  attempts: 0,
  endpoint: 'http://127.0.0.1:1/files/',
  addedAt: 0,
  receiverUploadId: `rx-${id}`,
  ...overrides,
});

const progress = (
  uploadId: string,
  seq: number,
  offset: number,
  status: ProgressEvent['status'] = 'running',
): ProgressEvent => ({
  type: 'progress',
  uploadId,
  seq,
  status,
  offset,
  length: 100,
  progress: offset / 100,
  bytesPerSecond: 0,
  etaSeconds: null,
  timestamp: new Date(0).toISOString(),
  context: { filename: 'x', source: 'tus' },
});

describe('queue changes', () => {
  it('replaces changed jobs by id, appends new ones, drops removed ones', () => {
    const start = queueFromSnapshot({ jobs: [job('a'), job('b'), job('c')], overall: emptyOverall });
    const changed = applyQueueChange(start, {
      jobs: [job('b', { acknowledged: 50 }), job('d')],
      removed: ['a'],
      overall: { ...emptyOverall, files: 3 },
    });
    expect(changed.order).toEqual(['b', 'c', 'd']);
    expect(changed.jobs.get('b')?.acknowledged).toBe(50);
    expect(changed.jobs.has('a')).toBe(false);
    expect(changed.overall.files).toBe(3);
    expect(start.order).toEqual(['a', 'b', 'c']);
  });

  it('patches known jobs into new objects, without the fields they cleared, and skips unknown ones', () => {
    const start = queueFromSnapshot({
      jobs: [job('a', { status: 'failed', error: { code: 'E', message: 'no' } }), job('b')],
      overall: emptyOverall,
    });
    const a = start.jobs.get('a')!;
    const changed = applyQueueChange(start, {
      jobs: [],
      patches: [
        { id: 'a', status: 'queued', attempts: 1, cleared: ['error', 'phase'] },
        { id: 'nobody', status: 'completed' },
      ],
      removed: [],
      overall: emptyOverall,
    });
    const { error: _error, phase: _phase, ...rest } = a;
    expect(changed.jobs.get('a')).toStrictEqual({ ...rest, status: 'queued', attempts: 1 });
    expect(a.status).toBe('failed');
    expect(changed.jobs.get('b')).toBe(start.jobs.get('b'));
    expect(changed.order).toBe(start.order);
    expect(changed.jobs.has('nobody')).toBe(false);
  });

  it('a job added and removed in one batch does not appear', () => {
    const changed = applyQueueChange(queueFromSnapshot({ jobs: [], overall: emptyOverall }), {
      jobs: [job('x')],
      removed: ['x'],
      overall: emptyOverall,
    });
    expect(changed.order).toEqual([]);
  });
});

describe('receiver events', () => {
  it('keeps the latest event per upload and ignores stale seq', () => {
    let events = applyServerMessage(noEvents, progress('rx-a', 2, 20));
    const same = applyServerMessage(events, progress('rx-a', 2, 30));
    expect(same).toBe(events);
    expect(applyServerMessage(events, progress('rx-a', 1, 90))).toBe(events);
    events = applyServerMessage(events, progress('rx-a', 3, 40));
    expect(events.get('rx-a')?.offset).toBe(40);
  });

  it('a snapshot replaces everything (a reconnect starts afresh)', () => {
    const events = applyServerMessage(applyServerMessage(noEvents, progress('rx-a', 9, 90)), {
      type: 'snapshot',
      uploads: [progress('rx-b', 1, 5)],
    });
    expect([...events.keys()]).toEqual(['rx-b']);
  });

  it('folds in place into a private map, and a snapshot starts a new one', () => {
    const events = new Map<string, ProgressEvent>();
    expect(foldServerMessage(events, progress('rx-a', 2, 20))).toEqual({ events, changed: true });
    expect(foldServerMessage(events, progress('rx-a', 1, 90)).changed).toBe(false);
    expect(events.get('rx-a')?.offset).toBe(20);
    const snapshot = foldServerMessage(events, { type: 'snapshot', uploads: [progress('rx-b', 1, 5)] });
    expect(snapshot.events).not.toBe(events);
    expect([...snapshot.events.keys()]).toEqual(['rx-b']);
    expect(foldServerMessage(events, { type: 'error', code: 'WS_INVALID_JSON', message: 'x' }).changed).toBe(false);
  });

  it('hello and error messages change nothing', () => {
    expect(applyServerMessage(noEvents, { type: 'error', code: 'WS_INVALID_JSON', message: 'x' })).toBe(noEvents);
  });

  it('tells when an upload newly completed', () => {
    const running = applyServerMessage(noEvents, progress('rx-a', 1, 50));
    expect(isNewlyCompleted(running, progress('rx-a', 2, 100, 'completed'))).toBe(true);
    const done = applyServerMessage(running, progress('rx-a', 2, 100, 'completed'));
    expect(isNewlyCompleted(done, progress('rx-a', 2, 100, 'completed'))).toBe(false);
    expect(isNewlyCompleted(noEvents, progress('rx-z', 0, 1))).toBe(false);
  });
});

describe('row derivation', () => {
  it('merges receiver offsets, counts states and corrects the overall stored bytes', () => {
    const derive = createRowDeriver();
    const data = queueFromSnapshot({
      jobs: [job('a'), job('b', { status: 'failed', phase: undefined })],
      overall: { ...emptyOverall, files: 2, size: 200, acknowledged: 20 },
    });
    const events = applyServerMessage(noEvents, progress('rx-a', 1, 60));
    const result = derive(data, events);
    expect(result.rows.map((row) => row.stored)).toEqual([60, 10]);
    expect(result.counts.uploading).toBe(1);
    expect(result.counts.failed).toBe(1);
    expect(result.overall.acknowledged).toBe(70);
  });

  it('reuses row objects whose job and event did not change', () => {
    const derive = createRowDeriver();
    const data = queueFromSnapshot({ jobs: [job('a'), job('b')], overall: emptyOverall });
    const first = derive(data, noEvents);
    const changed = applyQueueChange(data, {
      jobs: [job('b', { acknowledged: 70 })],
      removed: [],
      overall: emptyOverall,
    });
    const second = derive(changed, noEvents);
    expect(second.rows[0]).toBe(first.rows[0]);
    expect(second.rows[1]).not.toBe(first.rows[1]);
    const third = derive(changed, applyServerMessage(noEvents, progress('rx-a', 1, 80)));
    expect(third.rows[0]).not.toBe(second.rows[0]);
    expect(third.rows[1]).toBe(second.rows[1]);
  });

  it('keeps the same rows array when a change shows nothing new', () => {
    const derive = createRowDeriver();
    const data = queueFromSnapshot({ jobs: [job('a'), job('b')], overall: emptyOverall });
    const first = derive(data, noEvents);
    // `sent` and `attempts` are not shown: an equal row, the same array.
    const changed = applyQueueChange(data, {
      jobs: [job('b', { sent: 90, attempts: 1 })],
      removed: [],
      overall: emptyOverall,
    });
    expect(derive(changed, noEvents, { jobIds: new Set(['b']), uploadIds: new Set() }).rows).toBe(first.rows);
    expect(derive(changed, noEvents).rows).toBe(first.rows);
  });

  it('with hints, derives what a full pass derives', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const statuses = ['queued', 'running', 'paused', 'completed', 'failed', 'canceled'] as const;
    let data = queueFromSnapshot({
      jobs: Array.from({ length: 40 }, (_, index) =>
        job(`j${index}`, { receiverUploadId: index % 3 === 0 ? undefined : `rx-j${index}` }),
      ),
      overall: { ...emptyOverall, size: 4000 },
    });
    let events = noEvents;
    const hinted = createRowDeriver();
    hinted(data, events);
    for (let round = 0; round < 200; round += 1) {
      const jobIds = new Set<string>();
      const uploadIds = new Set<string>();
      for (let n = 0; n < 3; n += 1) {
        const id = `j${Math.floor(random() * 40)}`;
        if (random() < 0.5) {
          const before = data.jobs.get(id)!;
          const changedJob = job(id, {
            status: statuses[Math.floor(random() * statuses.length)]!,
            acknowledged: Math.floor(random() * 100),
            receiverUploadId: random() < 0.1 ? `rx-${id}-new` : before.receiverUploadId,
          });
          data = applyQueueChange(data, { jobs: [changedJob], removed: [], overall: data.overall });
          jobIds.add(id);
        } else {
          const uploadId = data.jobs.get(id)!.receiverUploadId ?? `rx-${id}`;
          events = applyServerMessage(events, progress(uploadId, round + 1, Math.floor(random() * 100)));
          uploadIds.add(uploadId);
        }
      }
      const incremental = hinted(data, events, { jobIds, uploadIds });
      const fresh = createRowDeriver()(data, events);
      expect(incremental).toEqual(fresh);
    }
  });

  it('derives 10,000 rows quickly', () => {
    const jobs = Array.from({ length: 10_000 }, (_, index) => job(`j${index}`));
    const derive = createRowDeriver();
    const data = queueFromSnapshot({ jobs, overall: emptyOverall });
    derive(data, noEvents);
    const started = performance.now();
    derive(
      applyQueueChange(data, { jobs: [job('j5', { acknowledged: 99 })], removed: [], overall: emptyOverall }),
      noEvents,
    );
    expect(performance.now() - started).toBeLessThan(100);
    // A hinted frame looks at the changed row only.
    const changed = applyQueueChange(data, {
      jobs: [job('j6', { acknowledged: 98 })],
      removed: [],
      overall: emptyOverall,
    });
    const hintedStart = performance.now();
    for (let frame = 0; frame < 100; frame += 1)
      derive(changed, noEvents, { jobIds: new Set(['j6']), uploadIds: new Set() });
    expect(performance.now() - hintedStart).toBeLessThan(50);
  });
});
