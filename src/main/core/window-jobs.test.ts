import { describe, expect, it } from 'vitest';
import { createMemoryPersistence } from '../../engine/sender/queue-persistence';
import { JobView, optionalJobFields } from '../../shared/ipc/job-view';
import type { UploadJob } from '../../shared/upload-job';
import { createFerryCore } from './ferry-core';
import { createJobViewer } from './job-view';
import { createMemoryKeyValueStore } from './key-value-store';
import { createWindowJobs, patchBetween } from './window-jobs';

const endpoint = 'http://127.0.0.1:41823/files/';
const job = (id: string, patch: Partial<UploadJob> = {}): UploadJob => ({
  id,
  path: `/data/${id}.bin`,
  name: `${id}.bin`,
  size: 100,
  mtimeMs: 1,
  target: { endpoint },
  status: 'queued',
  acknowledged: 0,
  sent: 0,
  attempts: 0,
  addedAt: 1,
  ...patch,
});
const toView = createJobViewer({ hub: { get: () => undefined }, embeddedEndpoint: () => endpoint });

describe('patches between two views', () => {
  it('carry the fields that changed and name the optional ones that went away', () => {
    const before = toView(job('a', { status: 'failed', phase: 'retrying', error: { code: 'E', message: 'no' } }));
    const after = toView(job('a', { status: 'running', acknowledged: 40, sent: 60 }));
    expect(patchBetween(before, after)).toEqual({
      id: 'a',
      status: 'running',
      acknowledged: 40,
      sent: 60,
      cleared: ['phase', 'error'],
    });
  });

  it('compare the error by its code and message, and are undefined when nothing changed', () => {
    const error = () => ({ code: 'E', message: 'no' });
    const view = toView(job('a', { status: 'failed', error: error() }));
    expect(patchBetween(view, toView(job('a', { status: 'failed', error: error() })))).toBeUndefined();
    expect(patchBetween(view, toView(job('a', { status: 'failed', error: { code: 'E', message: 'other' } })))).toEqual({
      id: 'a',
      error: { code: 'E', message: 'other' },
    });
  });

  it('can clear every optional field of a view', () => {
    const shape = JobView.shape as Record<string, { safeParse(value: unknown): { success: boolean } }>;
    const optional = Object.keys(shape).filter((key) => shape[key]!.safeParse(undefined).success);
    expect([...optionalJobFields].sort()).toEqual(optional.sort());
  });
});

describe('window jobs', () => {
  it('tells a new job whole, a known one by a patch, a removed one once, and nothing twice', () => {
    const window = createWindowJobs(toView);
    expect(window.tell('a', job('a'))).toEqual({ kind: 'added', view: toView(job('a')) });
    expect(window.tell('a', job('a'))).toBeUndefined();
    expect(window.tell('a', job('a', { status: 'paused' }))).toMatchObject({
      kind: 'patched',
      patch: { id: 'a', status: 'paused' },
      view: { id: 'a', name: 'a.bin', status: 'paused' },
    });
    expect(window.tell('a', undefined)).toEqual({ kind: 'removed', id: 'a' });
    expect(window.tell('a', undefined)).toBeUndefined();
    expect([...window.known()]).toEqual([]);
  });

  it('after a list, tells changes against what the list said, and forgets jobs it did not list', () => {
    const window = createWindowJobs(toView);
    window.tell('a', job('a', { status: 'paused' }));
    window.tell('gone', job('gone'));
    // The window lists while a is running; a is paused again before the next push.
    expect(window.snapshot([job('a', { status: 'running' })]).map((view) => view.status)).toEqual(['running']);
    expect(window.tell('a', job('a', { status: 'paused' }))).toMatchObject({ patch: { id: 'a', status: 'paused' } });
    expect(window.tell('gone', undefined)).toBeUndefined();
    expect([...window.known()]).toEqual(['a']);
  });

  it("is each core's own: what one core's window was told is not another's", async () => {
    const core = () =>
      createFerryCore({
        settings: createMemoryKeyValueStore(),
        queuePersistence: createMemoryPersistence(),
        defaultReceiveFolder: '/nonexistent/ferry',
        windowOrigins: [],
      });
    const [one, other] = [core(), core()];
    try {
      expect(one.windowJobs).toBe(one.windowJobs);
      one.windowJobs.snapshot([job('a')]);
      expect([...one.windowJobs.known()]).toEqual(['a']);
      expect([...other.windowJobs.known()]).toEqual([]);
      // Never listed by the other window, the same job is new there, and only a patch here.
      expect(other.windowJobs.tell('a', job('a', { status: 'paused' }))).toMatchObject({ kind: 'added' });
      expect(one.windowJobs.tell('a', job('a', { status: 'paused' }))).toMatchObject({ kind: 'patched' });
    } finally {
      await Promise.all([one.close(), other.close()]);
    }
  });
});
