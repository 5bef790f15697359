import { describe, expect, it } from 'vitest';
import type { JobView } from '../../../shared/ipc/job-view';
import type { ProgressEvent } from '../../../shared/progress-event';
import { mergeJobWithReceiver, rowStateOf } from './merge-job';

const MB = 1_000_000;

function job(overrides: Partial<JobView> = {}): JobView {
  return {
    id: 'job-1',
    name: 'clip-01.mov',
    folder: 'trip/2026',
    size: 100 * MB,
    status: 'running',
    phase: 'uploading',
    acknowledged: 40 * MB,
    sent: 48 * MB,
    bytesPerSecond: 30 * MB,
    etaSeconds: 2,
    attempts: 0,
    receiverUploadId: 'rx-1',
    endpoint: 'http://127.0.0.1:41823/files/',
    addedAt: 1,
    ...overrides,
  };
}

function event(overrides: Partial<ProgressEvent> = {}): ProgressEvent {
  return {
    type: 'progress',
    uploadId: 'rx-1',
    seq: 5,
    status: 'running',
    offset: 45 * MB,
    length: 100 * MB,
    progress: 0.45,
    bytesPerSecond: 31 * MB,
    etaSeconds: 2,
    timestamp: new Date(0).toISOString(),
    context: { filename: 'clip-01.mov', source: 'tus' },
    ...overrides,
  };
}

describe('mergeJobWithReceiver: stored bytes', () => {
  it('uses the pool acknowledgement without an event', () => {
    expect(mergeJobWithReceiver(job(), undefined)).toMatchObject({ stored: 40 * MB, fraction: 0.4 });
  });

  it('shows the receiver offset when it is ahead of the pool', () => {
    expect(mergeJobWithReceiver(job(), event()).stored).toBe(45 * MB);
  });

  it('never goes backwards from what the pool acknowledged', () => {
    expect(mergeJobWithReceiver(job(), event({ offset: 10 * MB })).stored).toBe(40 * MB);
  });

  it('never exceeds the file size', () => {
    const row = mergeJobWithReceiver(job(), event({ offset: 150 * MB }));
    expect(row.stored).toBe(100 * MB);
    expect(row.fraction).toBe(1);
  });

  it('ignores an event about another upload', () => {
    expect(mergeJobWithReceiver(job(), event({ uploadId: 'rx-2', offset: 90 * MB })).stored).toBe(40 * MB);
  });

  it('ignores events for jobs that do not go to the embedded receiver', () => {
    expect(mergeJobWithReceiver(job({ receiverUploadId: undefined }), event({ offset: 90 * MB })).stored).toBe(40 * MB);
  });

  it('caps a pool acknowledgement above size (a file that shrank)', () => {
    expect(mergeJobWithReceiver(job({ acknowledged: 120 * MB }), undefined).stored).toBe(100 * MB);
  });

  it('counts a completed job as fully stored whatever the event says', () => {
    const row = mergeJobWithReceiver(
      job({ status: 'completed', phase: undefined, acknowledged: 100 * MB }),
      event({ offset: 3 }),
    );
    expect(row).toMatchObject({ stored: 100 * MB, fraction: 1, state: 'done' });
  });

  it('treats an empty file as 0 or 1 by state, never NaN', () => {
    expect(
      mergeJobWithReceiver(job({ size: 0, acknowledged: 0, status: 'queued', phase: undefined }), undefined).fraction,
    ).toBe(0);
    expect(
      mergeJobWithReceiver(job({ size: 0, acknowledged: 0, status: 'completed', phase: undefined }), undefined)
        .fraction,
    ).toBe(1);
  });
});

describe('mergeJobWithReceiver: states come from the pool', () => {
  const cases: Array<[Partial<JobView>, string]> = [
    [{ status: 'queued', phase: undefined }, 'queued'],
    [{ status: 'running', phase: 'uploading' }, 'uploading'],
    [{ status: 'running', phase: undefined }, 'uploading'],
    [{ status: 'running', phase: 'stalled' }, 'stalled'],
    [{ status: 'running', phase: 'retrying', retryAt: 5000 }, 'retrying'],
    [{ status: 'queued', phase: 'retrying' }, 'retrying'],
    [{ status: 'queued', phase: 'offline' }, 'waiting'],
    [{ status: 'running', phase: 'waiting' }, 'waiting'],
    [{ status: 'running', phase: 'finalizing' }, 'finalizing'],
    [{ status: 'paused', phase: undefined }, 'paused'],
    [{ status: 'completed', phase: undefined }, 'done'],
    [{ status: 'failed', phase: undefined, error: { code: 'SOURCE_CHANGED', message: 'changed' } }, 'failed'],
    [{ status: 'canceled', phase: undefined }, 'canceled'],
  ];
  it.each(cases)('%o → %s', (overrides, state) => {
    expect(mergeJobWithReceiver(job(overrides), undefined).state).toBe(state);
  });

  it('a receiver event does not change the state (a completed receiver event while the pool runs is "Checking…")', () => {
    const row = mergeJobWithReceiver(job(), event({ status: 'completed', offset: 100 * MB }));
    expect(row.state).toBe('finalizing');
    expect(mergeJobWithReceiver(job({ status: 'paused', phase: undefined }), event({ status: 'running' })).state).toBe(
      'paused',
    );
  });

  it('a running job with every byte acknowledged is finalizing', () => {
    expect(rowStateOf({ status: 'running', phase: 'uploading', size: 10 }, 10)).toBe('finalizing');
  });
});

describe('mergeJobWithReceiver: what the row offers', () => {
  it('shows speed and ETA only while uploading', () => {
    expect(mergeJobWithReceiver(job(), undefined)).toMatchObject({ bytesPerSecond: 30 * MB, etaSeconds: 2 });
    expect(mergeJobWithReceiver(job({ phase: 'stalled' }), undefined)).toMatchObject({
      bytesPerSecond: 0,
      etaSeconds: null,
    });
    expect(mergeJobWithReceiver(job({ status: 'paused', phase: undefined }), undefined)).toMatchObject({
      bytesPerSecond: 0,
      etaSeconds: null,
    });
  });

  it('offers pause, resume or retry by state', () => {
    expect(mergeJobWithReceiver(job(), undefined)).toMatchObject({ primary: 'pause', canPause: true, canCancel: true });
    expect(mergeJobWithReceiver(job({ status: 'queued', phase: 'offline' }), undefined).primary).toBe('pause');
    expect(mergeJobWithReceiver(job({ status: 'paused', phase: undefined }), undefined)).toMatchObject({
      primary: 'resume',
      canResume: true,
    });
    expect(mergeJobWithReceiver(job({ status: 'failed', phase: undefined }), undefined)).toMatchObject({
      primary: 'retry',
      canRetry: true,
      canCancel: true,
    });
    expect(mergeJobWithReceiver(job({ status: 'canceled', phase: undefined }), undefined)).toMatchObject({
      primary: 'retry',
      canCancel: false,
    });
    expect(mergeJobWithReceiver(job({ status: 'completed', phase: undefined }), undefined)).toMatchObject({
      primary: 'none',
      canCancel: false,
    });
    expect(mergeJobWithReceiver(job({ phase: 'finalizing' }), undefined).primary).toBe('none');
  });

  it('carries the retry time only while retrying or stalled, and the error only where it explains the state', () => {
    expect(mergeJobWithReceiver(job({ phase: 'retrying', retryAt: 1234 }), undefined).retryAt).toBe(1234);
    expect(mergeJobWithReceiver(job({ phase: 'stalled', retryAt: 1234 }), undefined).retryAt).toBe(1234);
    expect(mergeJobWithReceiver(job({ phase: 'uploading', retryAt: 1234 }), undefined).retryAt).toBeUndefined();
    const error = { code: 'HOST_NOT_FOUND', message: 'not found' };
    expect(mergeJobWithReceiver(job({ status: 'failed', phase: undefined, error }), undefined).error).toEqual(error);
    expect(mergeJobWithReceiver(job({ status: 'queued', phase: 'offline', error }), undefined).error).toEqual(error);
    expect(
      mergeJobWithReceiver(job({ status: 'running', phase: 'uploading', error }), undefined).error,
    ).toBeUndefined();
  });

  it('is pure: the same inputs give equal rows and the inputs are untouched', () => {
    const input = job();
    const frozen = Object.freeze({ ...input });
    expect(mergeJobWithReceiver(frozen, event())).toEqual(mergeJobWithReceiver(frozen, event()));
    expect(frozen).toEqual(input);
  });
});
