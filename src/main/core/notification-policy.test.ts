import { describe, expect, it } from 'vitest';
import type { JobView } from '../../shared/ipc/job-view';
import { createNotificationPolicy } from './notification-policy';

const view = (id: string, status: JobView['status'], error?: string): JobView => ({
  id,
  name: `${id}.bin`,
  folder: '',
  size: 1,
  status,
  acknowledged: 0,
  sent: 0,
  bytesPerSecond: 0,
  etaSeconds: null,
  attempts: 0,
  endpoint: '',
  addedAt: 1,
  ...(error ? { error: { code: 'HTTP_403', message: error } } : {}),
});
const change = (jobs: JobView[], removed: string[] = []) => ({ jobs, removed });

describe('notification policy', () => {
  it('tells once when every job of a batch has finished', () => {
    const policy = createNotificationPolicy({ enabled: () => true });
    policy.trackBatch(['a', 'b', 'c']);
    expect(policy.observe(change([view('a', 'running'), view('b', 'completed')]))).toEqual([]);
    expect(policy.observe(change([view('a', 'completed')]))).toEqual([]);
    expect(policy.observe(change([view('c', 'completed')]))).toEqual([
      { title: 'Uploads finished', body: '3 files were sent.' },
    ]);
    expect(policy.observe(change([view('c', 'completed')]))).toEqual([]);
  });

  it('names a single file, and keeps batches apart', () => {
    const policy = createNotificationPolicy({ enabled: () => true });
    policy.trackBatch(['a']);
    policy.trackBatch(['b', 'c']);
    expect(policy.observe(change([view('a', 'completed'), view('b', 'completed')]))).toEqual([
      { title: 'Uploads finished', body: 'a.bin was sent.' },
    ]);
  });

  it('tells each failure with its reason, and the batch as finished with errors', () => {
    const policy = createNotificationPolicy({ enabled: () => true });
    policy.trackBatch(['a', 'b']);
    expect(policy.observe(change([view('a', 'failed', 'Creating the upload failed: HTTP 403')]))).toEqual([
      { title: 'a.bin failed', body: 'Creating the upload failed: HTTP 403' },
    ]);
    // The same failure pushed again is not told again.
    expect(
      policy.observe(change([view('a', 'failed', 'Creating the upload failed: HTTP 403'), view('b', 'completed')])),
    ).toEqual([{ title: 'Uploads finished with errors', body: '1 sent, 1 failed.' }]);
  });

  it('a retried job that fails again is told again; many failures at once become one note', () => {
    const policy = createNotificationPolicy({ enabled: () => true, maxFailureNotes: 2 });
    policy.observe(change([view('x', 'failed', 'no')]));
    policy.observe(change([view('x', 'queued')]));
    expect(policy.observe(change([view('x', 'failed', 'again')]))).toEqual([{ title: 'x.bin failed', body: 'again' }]);
    const many = ['p', 'q', 'r'].map((id) => view(id, 'failed', 'boom'));
    expect(policy.observe(change(many))).toEqual([{ title: '3 uploads failed', body: 'p.bin, q.bin, r.bin' }]);
  });

  it('canceled or removed jobs finish a batch without counting; a batch canceled whole says nothing', () => {
    const policy = createNotificationPolicy({ enabled: () => true });
    policy.trackBatch(['a', 'b', 'c']);
    policy.observe(change([view('a', 'canceled')], ['b']));
    expect(policy.observe(change([view('c', 'completed')]))).toEqual([
      { title: 'Uploads finished', body: 'c.bin was sent.' },
    ]);
    policy.trackBatch(['d', 'e']);
    expect(policy.observe(change([view('d', 'canceled'), view('e', 'canceled')]))).toEqual([]);
  });

  it('says nothing while notifications are off, and does not replay them when turned on', () => {
    let on = false;
    const policy = createNotificationPolicy({ enabled: () => on });
    policy.trackBatch(['a']);
    expect(policy.observe(change([view('a', 'failed', 'x')]))).toEqual([]);
    on = true;
    expect(policy.observe(change([view('a', 'failed', 'x')]))).toEqual([]);
  });
});
