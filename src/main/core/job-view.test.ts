import { describe, expect, it } from 'vitest';
import { JobView } from '../../shared/ipc/job-view';
import type { ProgressEvent } from '../../shared/progress-event';
import type { UploadJob } from '../../shared/upload-job';
import { createJobViewer, toOverallView } from './job-view';

const embedded = 'http://127.0.0.1:41823/files/';
const job: UploadJob = {
  id: 'j1',
  path: '/home/ann/photos/2024/a.jpg',
  name: 'a.jpg',
  relativePath: 'photos/2024/a.jpg',
  size: 1000,
  mtimeMs: 1,
  target: { endpoint: embedded, headers: { authorization: 'Bearer secret' } },
  status: 'running',
  phase: 'uploading',
  acknowledged: 400,
  sent: 600,
  attempts: 1,
  addedAt: 5,
  uploadUrl: `${embedded}AbC_123`,
};
const event = { bytesPerSecond: 2048, etaSeconds: 3 } as ProgressEvent;

function viewer(events: Record<string, ProgressEvent> = { j1: event }) {
  return createJobViewer({ hub: { get: (id) => events[id] }, embeddedEndpoint: () => embedded });
}

describe('job view', () => {
  it('shows a running embedded job with its receiver id, speed and ETA, and no path or token', () => {
    const view = viewer()(job);
    expect(view).toEqual({
      id: 'j1',
      name: 'a.jpg',
      folder: 'photos/2024',
      relativePath: 'photos/2024/a.jpg',
      size: 1000,
      status: 'running',
      phase: 'uploading',
      acknowledged: 400,
      sent: 600,
      bytesPerSecond: 2048,
      etaSeconds: 3,
      attempts: 1,
      receiverUploadId: 'AbC_123',
      endpoint: embedded,
      addedAt: 5,
    });
    expect(JobView.parse(view)).toEqual(view);
    expect(JSON.stringify(view)).not.toContain('secret');
  });

  it("uses the source folder for a loose file, and the only part's id while parts are in flight", () => {
    const view = viewer()({
      ...job,
      relativePath: undefined,
      uploadUrl: undefined,
      parts: [{ start: 0, end: 1000, offset: 0, url: `${embedded}part1` }],
    });
    expect(view.folder).toBe('/home/ann/photos/2024');
    expect(view.receiverUploadId).toBe('part1');
    expect(viewer()({ ...job, relativePath: 'a.jpg' }).folder).toBe('');
  });

  it('shows each job its own endpoint when one viewer sees jobs of several targets', () => {
    const view = viewer();
    const endpoints = [embedded, 'https://user:pw@tus.example.com/files/?key=abc', embedded, 'https://b.example/up/'];
    expect(endpoints.map((endpoint) => view({ ...job, target: { endpoint } }).endpoint)).toEqual([
      'http://127.0.0.1:41823/files/',
      'https://tus.example.com/files/',
      'http://127.0.0.1:41823/files/',
      'https://b.example/up/',
    ]);
  });

  it('has no receiver id for another target, and no speed unless running', () => {
    expect(viewer()({ ...job, target: { endpoint: 'https://tus.example.com/files/?key=abc' } })).toMatchObject({
      endpoint: 'https://tus.example.com/files/',
    });
    expect(
      viewer()({ ...job, target: { endpoint: 'https://tus.example.com/files/' } }).receiverUploadId,
    ).toBeUndefined();
    expect(
      createJobViewer({ hub: { get: () => event }, embeddedEndpoint: () => undefined })(job).receiverUploadId,
    ).toBeUndefined();
    const paused = viewer()({
      ...job,
      status: 'paused',
      phase: undefined,
      error: { code: 'STALLED', message: 'No progress' },
      finishedAt: 9,
    });
    expect(paused).toMatchObject({
      bytesPerSecond: 0,
      etaSeconds: null,
      error: { code: 'STALLED', message: 'No progress' },
      finishedAt: 9,
    });
    expect(paused.phase).toBeUndefined();
  });

  it('tells when a job waiting to retry tries again, and only while it waits', () => {
    expect(viewer()({ ...job, phase: 'retrying', retryAt: 12_345 }).retryAt).toBe(12_345);
    expect(viewer()({ ...job, phase: 'stalled', retryAt: 12_345 }).retryAt).toBe(12_345);
    // Back to uploading (or paused, done) with a time left from an earlier wait: no countdown.
    expect(viewer()({ ...job, phase: 'uploading', retryAt: 12_345 }).retryAt).toBeUndefined();
    expect(viewer()({ ...job, status: 'paused', phase: undefined, retryAt: 12_345 }).retryAt).toBeUndefined();
    expect(viewer()(job).retryAt).toBeUndefined();
  });

  it("shows a landed file's sha256 and whether the receiver confirmed it, and none before it lands", () => {
    const digest = 'ab'.repeat(32);
    const done = { ...job, status: 'completed' as const, phase: undefined, sha256: digest, finishedAt: 9 };
    expect(viewer()({ ...done, sha256Confirmed: true })).toMatchObject({ sha256: digest, sha256Confirmed: true });
    expect(viewer()(done)).toMatchObject({ sha256: digest, sha256Confirmed: false });
    expect(JobView.parse(viewer()(done)).sha256).toBe(digest);
    // Known while it runs (a one-request upload records it first), but nothing has landed yet.
    expect(viewer()({ ...job, sha256: digest }).sha256).toBeUndefined();
  });

  it('never shows fewer bytes sent than acknowledged', () => {
    expect(viewer()({ ...job, sent: 10 }).sent).toBe(400);
  });

  it('adds the active count to the overall totals', () => {
    const totals = { files: 3, completed: 1, failed: 0, size: 10, acknowledged: 4, bytesPerSecond: 1, etaSeconds: 6 };
    // The pool's status counts stay in main: the window gets the totals it shows.
    expect(toOverallView({ ...totals, sent: 5, paused: 1, pending: 1 }, 2)).toEqual({ ...totals, active: 2 });
  });
});
